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
            assertThat(zip.getEntry("data/aios.lock")).isNull();
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
