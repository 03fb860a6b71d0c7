package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.Admin;
import dev.aios.kernel.Kernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aios admin backup} while aios is busy, and {@code aios admin restore} into a new directory:
 * nothing acknowledged before the backup began is missing, the restored directory verifies, and a
 * damaged archive restores nothing.
 */
class BackupTest {
    @TempDir
    Path dir;

    @Test
    void aBackupTakenUnderLoadRestoresEverythingAcknowledgedBeforeItBegan() throws Exception {
        var data = dir.resolve("data");
        var archive = dir.resolve("backups/aios-1.zip");
        var acknowledged = new ConcurrentLinkedQueue<String>();
        List<String> beforeBackup;
        try (var aios = TestAios.start(data)) {
            var sending = new AtomicBoolean(true);
            var load = Thread.ofPlatform().start(() -> {
                int n = 0;
                while (sending.get()) {
                    acknowledged.add(aios.ping("load " + n++));
                }
            });
            while (acknowledged.size() < 20) {
                Thread.onSpinWait();
            }
            beforeBackup = new ArrayList<>(acknowledged);
            var backup =
                    TestAios.cli(Map.of(), "admin", "backup", "--data", data.toString(), "--to", archive.toString());
            sending.set(false);
            load.join();
            assertThat(backup.exitCode()).as(backup.err()).isZero();
            assertThat(backup.out()).contains("backed up", archive.toString());
        }

        try (var zip = new ZipFile(archive.toFile())) {
            assertThat(zip.getEntry("manifest.json")).isNotNull();
            assertThat(zip.getEntry("data/aios.db")).isNotNull();
            assertThat(zip.getEntry("data/master.key")).isNotNull();
            assertThat(zip.getEntry("data/aios.lock")).isNull();
        }
        if (archive.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(archive)))
                    .as("an archive with the master key in it is as private as the data directory")
                    .isEqualTo("rw-------");
        }
        var restored = dir.resolve("restored");
        var restore = TestAios.cli(Map.of(), "admin", "restore", archive.toString(), "--data", restored.toString());
        assertThat(restore.exitCode()).as(restore.err()).isZero();
        var verify = TestAios.cli(Map.of(), "admin", "verify", "--data", restored.toString());
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
        assertThat(Admin.verify(restored).ok()).isTrue();

        try (var kernel = Kernel.builder()
                .dataDirectory(restored)
                .agent(new EchoPlaybook.Echo())
                .playbook(EchoPlaybook.playbook())
                .build()) {
            for (var runId : beforeBackup) {
                assertThat(kernel.run(runId).id()).isEqualTo(runId);
            }
        }
    }

    @Test
    void aBackupWithoutItsMasterKeyRestoresOnlyWithTheKeyItWasMadeWith() throws Exception {
        var data = dir.resolve("data");
        var archive = dir.resolve("aios.zip");
        String runId;
        try (var aios = TestAios.start(data)) {
            runId = aios.ping("a secret about acme");
        }
        var backup = TestAios.cli(
                Map.of(),
                "admin",
                "backup",
                "--data",
                data.toString(),
                "--to",
                archive.toString(),
                "--without-master-key");
        assertThat(backup.exitCode()).as(backup.err()).isZero();
        assertThat(backup.out()).contains("master key is NOT in the archive", "restoring needs it");
        try (var zip = new ZipFile(archive.toFile())) {
            assertThat(zip.getEntry("data/master.key")).isNull();
        }

        var restored = dir.resolve("restored");
        var withoutKey = TestAios.cli(Map.of(), "admin", "restore", archive.toString(), "--data", restored.toString());
        assertThat(withoutKey.exitCode()).isEqualTo(1);
        assertThat(withoutKey.err()).contains("does not hold the master key", "--master-key FILE", "AIOS_MASTER_KEY");
        assertThat(restored).doesNotExist();

        var otherKey = dir.resolve("other.key");
        var random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        Files.writeString(otherKey, java.util.Base64.getEncoder().encodeToString(random));
        var wrongKey = TestAios.cli(
                Map.of(),
                "admin",
                "restore",
                archive.toString(),
                "--data",
                restored.toString(),
                "--master-key",
                otherKey.toString());
        assertThat(wrongKey.exitCode()).isEqualTo(1);
        assertThat(wrongKey.err()).contains("does not open the keys", "nothing was restored");
        assertThat(restored).doesNotExist();

        var rightKey = TestAios.cli(
                Map.of(),
                "admin",
                "restore",
                archive.toString(),
                "--data",
                restored.toString(),
                "--master-key",
                data.resolve("master.key").toString());
        assertThat(rightKey.exitCode()).as(rightKey.err()).isZero();
        assertThat(rightKey.out()).contains("opens its keys");
        assertThat(Admin.verify(restored).ok()).isTrue();
        try (var kernel = Kernel.builder()
                .dataDirectory(restored)
                .agent(new EchoPlaybook.Echo())
                .playbook(EchoPlaybook.playbook())
                .build()) {
            assertThat(String.valueOf(kernel.run(runId).trigger())).contains("a secret about acme");
        }
    }

    @Test
    void aDamagedArchiveOrADirectoryInUseRestoresNothing() throws Exception {
        var data = dir.resolve("data");
        var archive = dir.resolve("aios.zip");
        try (var aios = TestAios.start(data)) {
            aios.ping("one");
        }
        assertThat(TestAios.cli(Map.of(), "admin", "backup", "--data", data.toString(), "--to", archive.toString())
                        .exitCode())
                .isZero();
        var again = TestAios.cli(Map.of(), "admin", "backup", "--data", data.toString(), "--to", archive.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("exists already");

        var intoUsed = TestAios.cli(Map.of(), "admin", "restore", archive.toString(), "--data", data.toString());
        assertThat(intoUsed.exitCode()).isEqualTo(1);
        assertThat(intoUsed.err()).contains("is not empty");

        // Flip bytes in the middle of the archive (inside the stored database).
        var bytes = Files.readAllBytes(archive);
        for (int i = bytes.length / 2; i < bytes.length / 2 + 64; i++) {
            bytes[i] ^= 0x5a;
        }
        var damaged = dir.resolve("damaged.zip");
        Files.write(damaged, bytes);
        var target = dir.resolve("restored");
        var restore = TestAios.cli(Map.of(), "admin", "restore", damaged.toString(), "--data", target.toString());
        assertThat(restore.exitCode()).isEqualTo(1);
        assertThat(restore.err()).containsAnyOf("damaged", "cannot restore");
        assertThat(Files.exists(target.resolve("aios.db"))).isFalse();
    }
}
