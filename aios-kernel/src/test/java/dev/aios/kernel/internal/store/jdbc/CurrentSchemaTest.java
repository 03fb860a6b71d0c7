package dev.aios.kernel.internal.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.zip.CRC32;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check that lets a start skip Flyway: it says "current" only where Flyway would find nothing to do. */
class CurrentSchemaTest {
    private static final String LOCATION = "classpath:db/migration";
    private static final String HISTORY = "\"flyway_schema_history\"";

    @TempDir
    Path dir;

    private String url;

    @BeforeEach
    void setUp() {
        url = "jdbc:sqlite:" + dir.resolve("aios.db");
    }

    private void flyway(String target) {
        var configuration = Flyway.configure().dataSource(url, null, null).locations(LOCATION);
        if (target != null) {
            configuration = configuration.target(target);
        }
        configuration.load().migrate();
    }

    private boolean current() throws Exception {
        try (Connection connection = DriverManager.getConnection(url)) {
            return CurrentSchema.current(connection, LOCATION, HISTORY);
        }
    }

    private void update(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(url);
                var statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        }
    }

    @Test
    void aDatabaseFlywayMigratedStepByStepIsCurrentWithTheChecksumsFlywayWrote() throws Exception {
        flyway(null);
        assertThat(current()).isTrue();
    }

    @Test
    void aDatabaseOneMigrationBehindIsNot() throws Exception {
        var migrations =
                CurrentSchema.migrations(LOCATION, getClass().getClassLoader()).orElseThrow();
        flyway(migrations.get(migrations.size() - 2).version());
        assertThat(current()).isFalse();
    }

    @Test
    void aChangedChecksumAFailedRowOrAnUnknownVersionIsNot() throws Exception {
        flyway(null);
        update("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '5'");
        assertThat(current()).isFalse();
        update("UPDATE flyway_schema_history SET checksum = checksum - 1 WHERE version = '5'");
        assertThat(current()).isTrue();

        update("UPDATE flyway_schema_history SET success = 0 WHERE version = '3'");
        assertThat(current()).isFalse();
        update("UPDATE flyway_schema_history SET success = 1 WHERE version = '3'");

        update("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                + " installed_by, execution_time, success) VALUES (99, '99', 'later', 'SQL', 'V99__later.sql', 1,"
                + " '', 0, 1)");
        assertThat(current()).isFalse();
    }

    @Test
    void aBaselineCountsForTheMigrationsItCovers() throws Exception {
        var migrations =
                CurrentSchema.migrations(LOCATION, getClass().getClassLoader()).orElseThrow();
        flyway(null);
        // As a baseline script leaves it: one BASELINE row at the last version, no SQL rows.
        update("DELETE FROM flyway_schema_history");
        update("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                + " installed_by, execution_time, success) VALUES (1, '"
                + migrations.getLast().version()
                + "', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, '', 0, 1)");
        assertThat(current()).isTrue();
        // A baseline one below the last: the last migration must be there on its own.
        update("UPDATE flyway_schema_history SET version = '"
                + migrations.get(migrations.size() - 2).version() + "'");
        assertThat(current()).isFalse();
    }

    @Test
    void theMigrationsReadFromAJarAreTheSameAsFromAFolder() throws Exception {
        var loader = getClass().getClassLoader();
        var fromFolder = CurrentSchema.migrations(LOCATION, loader).orElseThrow();
        Path jar = dir.resolve("migrations.jar");
        try (var out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("db/"));
            out.putNextEntry(new JarEntry("db/migration/"));
            for (var migration : fromFolder) {
                out.putNextEntry(new JarEntry("db/migration/" + migration.script()));
                try (var in = loader.getResourceAsStream("db/migration/" + migration.script())) {
                    in.transferTo(out);
                }
            }
        }
        try (var jarLoader = new URLClassLoader(new java.net.URL[] {jar.toUri().toURL()}, null)) {
            assertThat(CurrentSchema.migrations(LOCATION, jarLoader)).contains(fromFolder);
        }
        assertThat(fromFolder).extracting(CurrentSchema.Migration::script).contains("V1__journal_and_runs.sql");
    }

    @Test
    void aFolderWithAFileFlywayWouldReadDifferentlyIsNotListed() throws Exception {
        Path jar = dir.resolve("other.jar");
        try (var out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("db/other/"));
            out.putNextEntry(new JarEntry("db/other/V1__first.sql"));
            out.write("CREATE TABLE a (x INTEGER);\n".getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new JarEntry("db/other/R__view.sql"));
            out.write("CREATE VIEW v AS SELECT 1;\n".getBytes(StandardCharsets.UTF_8));
        }
        try (var jarLoader = new URLClassLoader(new java.net.URL[] {jar.toUri().toURL()}, null)) {
            assertThat(CurrentSchema.migrations("classpath:db/other", jarLoader))
                    .isEmpty();
        }
    }

    @Test
    void theChecksumIsFlywaysLineByLineCrc() throws Exception {
        var crc = new CRC32();
        crc.update("a".getBytes(StandardCharsets.UTF_8));
        crc.update("b".getBytes(StandardCharsets.UTF_8));
        int expected = (int) crc.getValue();
        for (var text : new String[] {"a\nb\n", "a\r\nb", "\uFEFFa\nb"}) {
            assertThat(CurrentSchema.checksum(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))))
                    .as(text)
                    .isEqualTo(expected);
        }
    }
}
