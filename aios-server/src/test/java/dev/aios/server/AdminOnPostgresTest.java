package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.Kernel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The admin commands on an installation whose tables are in PostgreSQL (a real one, embedded). */
class AdminOnPostgresTest {
    @RegisterExtension
    static final OnePostgres POSTGRES = new OnePostgres();

    @TempDir
    Path dataDirectory;

    @Test
    void migrateCreatesEveryModulesTablesOnANewDatabaseThenFindsThemUpToDate(@TempDir Path sqlite) throws Exception {
        var url = POSTGRES.newDatabase("migrate");

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
        var url = POSTGRES.newDatabase("verify");
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
                POSTGRES.newDatabase("backup"),
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
}
