package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.Kernel;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin commands on an installation whose tables are in PostgreSQL (a real one, embedded). */
class AdminOnPostgresTest {
    private static EmbeddedPostgres postgres;

    @TempDir
    Path dataDirectory;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @Test
    void migrateCreatesEveryModulesTablesOnANewDatabaseThenFindsThemUpToDate(@TempDir Path sqlite) throws Exception {
        var url = newDatabase("migrate");

        var first = TestAios.cli(Map.of(), "admin", "migrate", "--data", dataDirectory.toString(), "--db", url);
        var again = TestAios.cli(Map.of("AIOS_DB", url), "admin", "migrate", "--data", dataDirectory.toString());
        var onSqlite = TestAios.cli(Map.of(), "admin", "migrate", "--data", sqlite.toString());

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out())
                .contains("kernel     applied V1 kernel, V2 nodes, V3 agent instances")
                .contains("models     applied V1 ledger and cache")
                .contains("memory     applied V1 memory")
                .contains("connectors applied V1 connectors")
                .contains("policy     applied V1 policy")
                .containsPattern("applied \\d+ migrations to jdbc:postgresql:");
        assertThat(first.out()).doesNotContain("password");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("kernel     up to date", "policy     up to date", "was up to date");
        assertThat(onSqlite.exitCode()).as(onSqlite.err()).isZero();
        assertThat(onSqlite.out())
                .contains("kernel     applied V1 journal and runs")
                .contains("models     applied V1 ledger and cache, V2 ledger subject");
    }

    @Test
    void verifyWaitsForEveryNodeToStopAndThenChecksTheSharedDatabase() {
        var url = newDatabase("verify");
        var kernel = Kernel.builder()
                .dataDirectory(dataDirectory)
                .database(url)
                .playbook(EchoPlaybook.playbook())
                .agent(new EchoPlaybook.Echo())
                .build();
        kernel.start();
        var started = kernel.send(new dev.aios.api.Event(
                "e-1",
                EchoPlaybook.TRIGGER,
                "acme",
                "test",
                java.time.Instant.now(),
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                        .objectNode()
                        .put("text", "hi"),
                "",
                ""));
        assertThat(started.started()).hasSize(1);
        var refused = TestAios.cli(Map.of(), "admin", "verify", "--data", dataDirectory.toString(), "--db", url);
        kernel.close();
        var verified = TestAios.cli(Map.of(), "admin", "verify", "--data", dataDirectory.toString(), "--db", url);
        var rebuilt = TestAios.cli(Map.of(), "admin", "rebuild", "--data", dataDirectory.toString(), "--db", url);

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err())
                .contains("1 aios node is working on jdbc:postgresql:")
                .contains("stop every node first");
        assertThat(verified.exitCode()).as(verified.err()).isZero();
        assertThat(verified.out()).startsWith("ok: 1 runs");
        assertThat(rebuilt.exitCode()).as(rebuilt.err()).isZero();
        assertThat(rebuilt.out()).contains("rebuilt 1 runs");
    }

    @Test
    void backupOfAPostgresDatabaseSaysToUsePgDump(@TempDir Path target) {
        var result = TestAios.cli(
                Map.of(),
                "admin",
                "backup",
                "--data",
                dataDirectory.toString(),
                "--db",
                newDatabase("backup"),
                "--to",
                target.resolve("b.zip").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("pg_dump --format=custom").contains("master key");
    }

    @Test
    void aDatabaseThatIsNotPostgresIsRefusedBeforeAnythingIsOpened() {
        var result = TestAios.cli(
                Map.of(), "admin", "verify", "--data", dataDirectory.toString(), "--db", "jdbc:mysql://db/aios");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--db must be a jdbc:postgresql: URL");
    }

    private static String newDatabase(String name) {
        var database = "admin_" + name + "_" + ProcessHandle.current().pid();
        try (var c = postgres.getPostgresDatabase().getConnection();
                var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + database);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return postgres.getJdbcUrl("postgres", database);
    }
}
