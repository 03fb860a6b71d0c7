package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verification detects tampering and loss; rebuilding restores derived tables from the journal. */
class AdminTest {
    @TempDir
    Path dir;

    Path data;
    String finished;
    String waiting;

    @BeforeEach
    void runSomeWork() throws Exception {
        data = dir.resolve("data");
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/onboarding.yaml"), KernelTest.PLAYBOOK);
        var clock = new TestClock();
        try (var kernel = Kernel.builder()
                .dataDirectory(data)
                .clock(clock)
                .agent(new KernelTest.Scorer())
                .agent(new KernelTest.Reminder())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build()) {
            kernel.start();
            var json = new ObjectMapper();
            waiting = kernel.send(new Event(
                            UUID.randomUUID().toString(),
                            "lead.received",
                            "small",
                            "test",
                            clock.instant(),
                            json.readTree("{\"budget\": 100}"),
                            "",
                            ""))
                    .started()
                    .getFirst();
            finished = kernel.send(new Event(
                            UUID.randomUUID().toString(),
                            "lead.received",
                            "big",
                            "test",
                            clock.instant(),
                            json.readTree("{\"budget\": 9000}"),
                            "",
                            ""))
                    .started()
                    .getFirst();
            Eventually.await(() -> kernel.run(finished).status(), s -> s == RunStatus.WAITING);
            Eventually.await(() -> kernel.tasks(false), t -> !t.isEmpty());
            clock.advance(Duration.ofHours(49));
            kernel.wake();
            Eventually.await(() -> kernel.run(finished).steps().size(), n -> n == 3);
            kernel.send(new Event(
                    UUID.randomUUID().toString(),
                    "delivery.accepted",
                    "big",
                    "test",
                    clock.instant(),
                    json.readTree("{}"),
                    "",
                    ""));
            Eventually.await(() -> kernel.run(finished).status(), s -> s == RunStatus.COMPLETED);
        }
    }

    Connection sql() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + data.resolve("aios.db"));
    }

    @Test
    void anIntactDirectoryVerifiesAndRebuildsToTheSameRows() {
        var report = Admin.verify(data);
        assertThat(report.problems()).isEmpty();
        assertThat(report.runs()).isEqualTo(2);
        assertThat(report.entries()).isGreaterThan(10);

        var rebuilt = Admin.rebuild(data);
        assertThat(rebuilt.changedRows()).isZero();
        assertThat(rebuilt.runs()).isEqualTo(2);
        assertThat(Admin.verify(data).ok()).isTrue();
    }

    @Test
    void verifyingADirectoryWhoseMasterKeyIsMissingSaysSoAndCreatesNoKey() throws Exception {
        var key = data.resolve(Admin.MASTER_KEY_FILE);
        var kept = dir.resolve("kept-apart.key");
        Files.move(key, kept);

        assertThatThrownBy(() -> Admin.verify(data))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("no master key")
                .hasMessageContaining("put the key back at " + key)
                .hasMessageContaining(Admin.MASTER_KEY_VARIABLE);
        assertThatThrownBy(() -> Admin.rebuild(data)).isInstanceOf(StorageException.class);
        assertThat(key).as("no new key was made").doesNotExist();

        Files.move(kept, key);
        assertThat(Admin.verify(data).problems()).isEmpty();
    }

    @Test
    void anAlteredJournalEntryIsDetected() throws Exception {
        try (var c = sql();
                var st = c.createStatement()) {
            // One bit flipped in a stored (sealed) payload.
            st.executeUpdate("UPDATE journal SET payload = substr(payload, 1, 20) || X'FF' || substr(payload, 22)"
                    + " WHERE run_id = '" + finished + "' AND type = 'StepCompleted'");
        }
        var report = Admin.verify(data);
        assertThat(report.problems())
                .anySatisfy(p -> assertThat(p).contains("run " + finished).contains("does not match its checksum"));
    }

    @Test
    void aLostJournalEntryIsDetected() throws Exception {
        try (var c = sql();
                var st = c.createStatement()) {
            st.executeUpdate("DELETE FROM journal WHERE run_id = '" + finished + "' AND seq = 3");
        }
        assertThat(Admin.verify(data).problems()).anySatisfy(p -> assertThat(p).contains("entry 3 is missing"));
    }

    @Test
    void damagedDerivedTablesAreReportedAndRebuilt() throws Exception {
        try (var c = sql();
                var st = c.createStatement()) {
            st.executeUpdate("UPDATE runs SET status = 'completed' WHERE id = '" + waiting + "'");
            st.executeUpdate("DELETE FROM tasks");
        }
        var report = Admin.verify(data);
        assertThat(report.problems())
                .anySatisfy(p -> assertThat(p).startsWith("runs: row").contains(waiting))
                .anySatisfy(p -> assertThat(p).startsWith("tasks: row").contains("is missing"));

        var rebuilt = Admin.rebuild(data);
        assertThat(rebuilt.changedRows()).isEqualTo(2);
        assertThat(Admin.verify(data).problems()).isEmpty();
        try (var c = sql();
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT status FROM runs WHERE id = '" + waiting + "'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("waiting");
        }
    }

    @Test
    void aMissingDirectoryIsAClearError() {
        assertThatThrownBy(() -> Admin.verify(dir.resolve("nowhere")))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("no aios database in");
    }

    @Test
    void aDirectoryInUseIsRefused() {
        try (var kernel = Kernel.builder().dataDirectory(data).build()) {
            assertThat(kernel.dataDirectory()).isEqualTo(data);
            assertThatThrownBy(() -> Admin.rebuild(data))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("in use by another aios process");
        }
    }
}
