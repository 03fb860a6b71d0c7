package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.AgentStep;
import dev.aios.api.MemoryKind;
import dev.aios.api.Playbook;
import dev.aios.api.Remember;
import dev.aios.api.Trigger;
import dev.aios.api.WaitStep;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.Scope;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aios admin migrate --from DIR --to URL}: a stopped SQLite installation moves into a real
 * (embedded) PostgreSQL and goes on there; every reason to refuse leaves both sides untouched.
 */
class MigrateToPostgresTest {
    @RegisterExtension
    static final OnePostgres POSTGRES = new OnePostgres();

    /** {@code test.later} → a wait of a few seconds → the echo agent. */
    static final Playbook LATER = Playbook.builder("later")
            .trigger(Trigger.on("test.later"))
            .step(WaitStep.forDuration("pause", "4s"))
            .step(AgentStep.of("say", "echo").withInput("text", "event.data.text"))
            .build();

    @TempDir
    Path dir;

    @Test
    void aStoppedInstallationMovesWithItsRunsTimersTasksMemorySecretsAndTokensAndGoesOnOnPostgres() throws Exception {
        var data = dir.resolve("data");
        var memory = MemoryExtension.of(MemorySettings.defaults());
        String completed;
        String open;
        String waiting;
        String operatorToken;
        try (var aios =
                TestAios.start(data, builder -> builder.extension(memory).playbook(LATER), ApiServer.REQUEST_TIMEOUT)) {
            completed = aios.ping("first");
            var task = aios.openTaskOf(completed);
            assertThat(aios.post("/api/tasks/" + task.path("id").asText() + "/approve", "")
                            .status())
                    .isEqualTo(200);
            aios.eventually(
                    "/api/runs/" + completed, run -> run.path("status").asText().equals("completed"));
            open = aios.ping("second");
            aios.openTaskOf(open);
            var later = aios.post(
                    "/api/events", "{\"type\":\"test.later\",\"subject\":\"acme\",\"data\":{\"text\":\"late\"}}");
            waiting = later.json().path("started").get(0).asText();
            aios.eventually(
                    "/api/runs/" + waiting, run -> run.path("status").asText().equals("waiting"));
            memory.memory().remember(Remember.of(MemoryKind.NOTE, "acme", "Acme wants the teal palette on invoices"));
            aios.kernel.secrets().put("PAYMENTS_TOKEN", "sk_live_moved");
            operatorToken = aios.kernel
                    .tokens()
                    .create("operator", EnumSet.of(Scope.READ, Scope.OPERATE), Optional.empty())
                    .secret();
        }
        var url = POSTGRES.newDatabase("moved");
        // Tables created ahead, as the README suggests for new nodes: still an empty database.
        var ahead = TestAios.cli(
                Map.of(), "admin", "migrate", "--data", dir.resolve("ahead").toString(), "--db", url);
        assertThat(ahead.exitCode()).as(ahead.err()).isZero();

        var moved = TestAios.cli(Map.of(), "admin", "migrate", "--from", data.toString(), "--to", url);

        assertThat(moved.exitCode()).as(moved.err()).isZero();
        assertThat(moved.out())
                .containsPattern("journal +\\d+ rows")
                .containsPattern("memory_items +\\d+ rows")
                .contains("tokens ", "secrets ")
                .containsPattern("copied \\d+ rows in \\d+ tables from .*aios.db to jdbc:postgresql:")
                .contains("the master key stays where it is", "AIOS_MASTER_KEY");
        assertThat(moved.err()).contains("migrate: rows:");
        var onPostgres = TestAios.cli(Map.of(), "admin", "verify", "--data", data.toString(), "--db", url);
        var onSqlite = TestAios.cli(Map.of(), "admin", "verify", "--data", data.toString());
        assertThat(onPostgres.exitCode())
                .as(onPostgres.out() + onPostgres.err())
                .isZero();
        assertThat(onPostgres.out()).startsWith("ok: 3 runs");
        assertThat(onSqlite.exitCode()).as(onSqlite.out() + onSqlite.err()).isZero();
        assertThat(onPostgres.out()).isEqualTo(onSqlite.out());

        // Numbering goes on after the highest number SQLite gave out.
        assertThat(number(url, "SELECT last_value FROM journal_pos"))
                .isEqualTo(number(url, "SELECT MAX(pos) FROM journal"))
                .isPositive();
        assertThat(number(url, "SELECT pg_sequence_last_value(pg_get_serial_sequence('events', 'seq'))"))
                .isEqualTo(number(url, "SELECT MAX(seq) FROM events"));
        assertThat(number(url, "SELECT seq FROM audit_assigned"))
                .isEqualTo(number(url, "SELECT MAX(seq) FROM audit"))
                .isPositive();
        // The id of the event that started each run is copied in its column, by which a run invoked
        // again with the same event is found.
        assertThat(number(url, "SELECT COUNT(*) FROM runs r JOIN events e ON e.id = r.trigger_id"))
                .isEqualTo(3);
        long journal = number(url, "SELECT COUNT(*) FROM journal");
        var again = TestAios.cli(Map.of(), "admin", "migrate", "--from", data.toString(), "--to", url);
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("is not empty: aios tables there hold rows (", "new database");
        assertThat(number(url, "SELECT COUNT(*) FROM journal")).isEqualTo(journal);

        var memoryOnPostgres = MemoryExtension.of(MemorySettings.defaults());
        try (var aios = TestAios.start(
                data,
                builder -> builder.database(url).extension(memoryOnPostgres).playbook(LATER),
                ApiServer.REQUEST_TIMEOUT)) {
            aios.eventually(
                    "/api/runs/" + waiting, run -> run.path("status").asText().equals("completed"));
            var task = aios.openTaskOf(open);
            assertThat(aios.post("/api/tasks/" + task.path("id").asText() + "/approve", "")
                            .status())
                    .isEqualTo(200);
            aios.eventually(
                    "/api/runs/" + open, run -> run.path("status").asText().equals("completed"));
            assertThat(aios.get("/api/runs/" + completed).json().path("status").asText())
                    .isEqualTo("completed");
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (memoryOnPostgres.memory().recall("teal palette", 5).items().stream()
                    .noneMatch(hit -> hit.text().contains("teal palette"))) {
                assertThat(System.nanoTime())
                        .as("the note is found on PostgreSQL")
                        .isLessThan(until);
                Thread.sleep(50);
            }
            assertThat(aios.kernel.secrets().get("PAYMENTS_TOKEN")).contains("sk_live_moved");
            var asOperator = aios.sendAs(
                    HttpRequest.newBuilder(URI.create(aios.url + "/api/runs")).GET(), operatorToken);
            assertThat(asOperator.status()).isEqualTo(200);
            var stranger = aios.sendAs(
                    HttpRequest.newBuilder(URI.create(aios.url + "/api/runs")).GET(), "nope");
            assertThat(stranger.status()).isEqualTo(401);
            // A new journal entry continues the numbering where SQLite stopped.
            var fourth = aios.ping("third");
            aios.openTaskOf(fourth);
        }
        var afterwards = TestAios.cli(Map.of(), "admin", "verify", "--data", data.toString(), "--db", url);
        assertThat(afterwards.exitCode())
                .as(afterwards.out() + afterwards.err())
                .isZero();
        assertThat(afterwards.out()).startsWith("ok: 4 runs");
    }

    @Test
    void aRunningInstallationIsRefusedAndTheDatabaseStaysUntouched() {
        var data = dir.resolve("data");
        var url = POSTGRES.newDatabase("running");
        try (var aios = TestAios.start(data)) {
            var refused = TestAios.cli(Map.of(), "admin", "migrate", "--from", data.toString(), "--to", url);

            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).contains("is in use by another aios process", "stop it first");
        }
        assertThat(tables(url)).isZero();
    }

    @Test
    void aDirectoryThatIsNotAnInstallationIsRefusedAndNothingIsWrittenInIt() throws Exception {
        var url = POSTGRES.newDatabase("stranger");
        var empty = Files.createDirectories(dir.resolve("empty"));
        var other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("aios.db"), "not a database");

        var fromEmpty = TestAios.cli(Map.of(), "admin", "migrate", "--from", empty.toString(), "--to", url);
        var fromOther = TestAios.cli(Map.of(), "admin", "migrate", "--from", other.toString(), "--to", url);
        var missing = TestAios.cli(Map.of(), "admin", "migrate", "--from", empty.toString());

        assertThat(fromEmpty.exitCode()).isEqualTo(1);
        assertThat(fromEmpty.err()).contains("is not an aios data directory", "holds no aios.db");
        assertThat(fromOther.exitCode()).isEqualTo(1);
        assertThat(fromOther.err()).contains("is not an aios data directory", "is not an aios database");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("needs both --from DIR", "--to URL");
        assertThat(files(empty)).isEmpty();
        assertThat(files(other)).containsExactly("aios.db");
        assertThat(tables(url)).isZero();
    }

    @Test
    void anInstallationOlderOrNewerThanThisAiosIsRefusedWithWhatToDo() throws Exception {
        var data = dir.resolve("data");
        var url = POSTGRES.newDatabase("versions");
        var kernel = Kernel.builder().dataDirectory(data).build();
        kernel.start();
        kernel.close();
        var sqlite = "jdbc:sqlite:" + data.resolve("aios.db");
        int latest;
        try (var c = DriverManager.getConnection(sqlite);
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT MAX(CAST(version AS INTEGER)) FROM flyway_schema_history")) {
            rs.next();
            latest = rs.getInt(1);
            // As an installation made before the latest migration: its history ends one earlier, whether
            // it was migrated step by step or created from the baseline script.
            st.execute("DELETE FROM flyway_schema_history WHERE version = '" + latest + "' AND type <> 'BASELINE'");
            st.execute("UPDATE flyway_schema_history SET version = '" + (latest - 1) + "' WHERE version = '" + latest
                    + "' AND type = 'BASELINE'");
        }

        var older = TestAios.cli(Map.of(), "admin", "migrate", "--from", data.toString(), "--to", url);

        try (var c = DriverManager.getConnection(sqlite);
                var st = c.createStatement()) {
            st.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
                    + " checksum, installed_by, installed_on, execution_time, success) SELECT MAX(installed_rank) + 1,"
                    + " '" + latest + "', 'the latest', 'SQL', 'V" + latest + "__the_latest.sql', NULL, 'aios',"
                    + " '2026-01-01 00:00:00', 0, 1 FROM flyway_schema_history");
            st.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
                    + " checksum, installed_by, installed_on, execution_time, success) SELECT MAX(installed_rank) + 1,"
                    + " '99', 'from the future', 'SQL', 'V99__from_the_future.sql', NULL, 'aios',"
                    + " '2026-01-01 00:00:00', 0, 1 FROM flyway_schema_history");
        }
        var newer = TestAios.cli(Map.of(), "admin", "migrate", "--from", data.toString(), "--to", url);

        assertThat(latest).as("the kernel's latest migration").isGreaterThanOrEqualTo(12);
        assertThat(older.exitCode()).as(older.err()).isEqualTo(1);
        assertThat(older.err())
                .contains("tables of kernel", "are older than this aios (it lacks V" + latest + ")")
                .contains("aios admin migrate --data " + data);
        assertThat(newer.exitCode()).isEqualTo(1);
        assertThat(newer.err()).contains("written by a newer aios (migrations V99");
        assertThat(tables(url)).isZero();
    }

    private static List<String> files(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }

    private static long tables(String url) {
        try (var c = DriverManager.getConnection(url);
                var st = c.createStatement();
                var rs = st.executeQuery(
                        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long number(String url, String query) throws SQLException {
        try (var c = DriverManager.getConnection(url);
                var st = c.createStatement();
                var rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
