package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Event;
import dev.aios.kernel.internal.journal.MasterKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is on disk is private to its owner, and the database file alone, copied elsewhere, opens no
 * payload and no secret: the keys to them are wrapped by a master key kept outside it.
 */
class DataAtRestTest {
    @TempDir
    Path dir;

    private static final String PLAN = "the-secret-plan-of-ada";

    private void sendAbout(Kernel kernel, String subject) throws IOException {
        kernel.send(new Event(
                UUID.randomUUID().toString(),
                "lead.received",
                subject,
                "test",
                Instant.now(),
                new ObjectMapper().readTree("{\"plan\": \"" + PLAN + "\"}"),
                "",
                ""));
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /** Every byte of the database file and its write-ahead log. */
    private static byte[] databaseBytes(Path data) throws IOException {
        var all = new ByteArrayOutputStream();
        for (var name : List.of("aios.db", "aios.db-wal")) {
            var file = data.resolve(name);
            if (Files.exists(file)) {
                all.write(Files.readAllBytes(file));
            }
        }
        return all.toByteArray();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        return HexFormat.of().formatHex(haystack).contains(HexFormat.of().formatHex(needle));
    }

    @Test
    void theDataDirectoryAndItsFilesAreReadableByTheirOwnerOnlyEvenWhenTheyWereNotBefore() throws Exception {
        var data = dir.resolve("data");
        try (var kernel = Kernel.builder().dataDirectory(data).build()) {
            kernel.start();
            sendAbout(kernel, "ada@acme.test");
        }
        assertThat(permissions(data)).isEqualTo("rwx------");
        for (var name : List.of("aios.db", "master.key", "admin.token", "aios.lock")) {
            assertThat(permissions(data.resolve(name))).as(name).isEqualTo("rw-------");
        }

        // A data directory made by an older version, or opened up by hand.
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(data.resolve("aios.db"), PosixFilePermissions.fromString("rw-r--r--"));
        try (var kernel = Kernel.builder().dataDirectory(data).build()) {
            kernel.start();
            assertThat(permissions(data)).isEqualTo("rwx------");
            assertThat(permissions(data.resolve("aios.db"))).isEqualTo("rw-------");
            if (Files.exists(data.resolve("aios.db-wal"))) {
                assertThat(permissions(data.resolve("aios.db-wal"))).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void theDatabaseFileHoldsNoSubjectKeyOrSecretInClear() throws Exception {
        var data = dir.resolve("data");
        try (var kernel = Kernel.builder().dataDirectory(data).build()) {
            kernel.start();
            sendAbout(kernel, "ada@acme.test");
            kernel.secrets().put("connector.mail.password", "hunter2-" + PLAN);
            assertThat(kernel.secrets().get("connector.mail.password")).contains("hunter2-" + PLAN);
        }
        var master = MasterKey.of(data, java.util.Optional.empty());
        var keys = new ArrayList<byte[]>();
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("aios.db"));
                var rows = db.createStatement().executeQuery("SELECT key FROM subject_keys")) {
            while (rows.next()) {
                keys.add(master.unwrap(rows.getBytes("key"), "subject-key"));
            }
        }
        assertThat(keys).hasSize(1);
        var onDisk = databaseBytes(data);
        assertThat(contains(onDisk, keys.getFirst()))
                .as("a subject key in clear")
                .isFalse();
        assertThat(contains(onDisk, PLAN.getBytes(StandardCharsets.UTF_8)))
                .as("a payload or secret in clear")
                .isFalse();
    }

    @Test
    void aSubjectKeyAnOlderVersionStoredBareIsWrappedAtTheNextStartAndStillSeals() throws Exception {
        var data = dir.resolve("data");
        try (var kernel = Kernel.builder().dataDirectory(data).build()) {
            kernel.start();
            sendAbout(kernel, "ada@acme.test");
        }
        var master = MasterKey.of(data, java.util.Optional.empty());
        byte[] bare;
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("aios.db"))) {
            try (var rows = db.createStatement().executeQuery("SELECT key FROM subject_keys")) {
                assertThat(rows.next()).isTrue();
                bare = master.unwrap(rows.getBytes("key"), "subject-key");
            }
            // As a version before the master key stored it.
            try (var update = db.prepareStatement("UPDATE subject_keys SET key = ?")) {
                update.setBytes(1, bare);
                update.executeUpdate();
            }
        }
        assertThat(bare).hasSize(MasterKey.BARE_BYTES);

        try (var kernel = Kernel.builder().dataDirectory(data).build()) {
            kernel.start();
            sendAbout(kernel, "ada@acme.test");
            assertThat(kernel.verify().problems()).isEmpty();
        }
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("aios.db"));
                var rows = db.createStatement().executeQuery("SELECT key FROM subject_keys")) {
            assertThat(rows.next()).isTrue();
            var stored = rows.getBytes("key");
            assertThat(stored).hasSizeGreaterThan(MasterKey.BARE_BYTES);
            assertThat(master.unwrap(stored, "subject-key")).isEqualTo(bare);
            assertThat(rows.next()).as("one key, the same one").isFalse();
        }
    }

    @Test
    void aDatabaseFileCopiedWithoutItsMasterKeyOpensNothingAndSaysWhy() throws Exception {
        var data = dir.resolve("data");
        try (var kernel = Kernel.builder().dataDirectory(data).build()) {
            kernel.start();
            sendAbout(kernel, "ada@acme.test");
            kernel.secrets().put("connector.mail.password", "hunter2");
        }
        var stolen = dir.resolve("stolen");
        Files.createDirectories(stolen);
        for (var name : List.of("aios.db", "aios.db-wal")) {
            if (Files.exists(data.resolve(name))) {
                Files.copy(data.resolve(name), stolen.resolve(name));
            }
        }

        assertThatThrownBy(() -> Kernel.builder().dataDirectory(stolen).build())
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("does not open the keys of this data directory")
                .hasMessageContaining("AIOS_MASTER_KEY");

        Files.copy(
                data.resolve("master.key"),
                stolen.resolve("master.key"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (var kernel = Kernel.builder().dataDirectory(stolen).build()) {
            assertThat(kernel.secrets().get("connector.mail.password")).contains("hunter2");
        }
    }
}
