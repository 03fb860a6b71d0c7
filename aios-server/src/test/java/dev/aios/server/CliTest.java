package dev.aios.server;

import static dev.aios.server.TestAios.step;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir
    Path dataDirectory;

    TestAios aios;

    @BeforeEach
    void start() {
        aios = TestAios.start(dataDirectory);
    }

    @AfterEach
    void stop() {
        aios.close();
    }

    @Test
    void theOperatorSendsAnEventFollowsTheRunAndApprovesItsTask() {
        var sent = aios.cli(
                "event", "send", "test.ping", "--subject", "acme", "--data", "{\"text\":\"hi\"}", "--id", "e-1");

        assertThat(sent.exitCode()).as(sent.err()).isZero();
        assertThat(sent.out()).contains("event e-1 accepted").contains("started run ");
        var runId = sent.out()
                .lines()
                .filter(line -> line.startsWith("started run "))
                .findFirst()
                .orElseThrow()
                .substring("started run ".length());
        aios.eventually(
                "/api/runs/" + runId,
                run -> step(run, "say").path("status").asText().equals("completed"));
        var taskId = aios.openTaskOf(runId).path("id").asText();

        var runs = aios.cli("runs");
        assertThat(runs.exitCode()).isZero();
        assertThat(runs.out()).contains("ID", "PLAYBOOK", "STATUS", runId, EchoPlaybook.NAME, "acme");

        var show = aios.cli("run", "show", runId);
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out())
                .contains("run " + runId)
                .contains("say (agent)  completed")
                .contains("{\"text\":\"hi\"}")
                .contains("check (approval)")
                .contains(taskId);

        var tasks = aios.cli("tasks");
        assertThat(tasks.exitCode()).isZero();
        assertThat(tasks.out()).contains(taskId, "open", "ok?");

        var task = aios.cli("task", "show", taskId);
        assertThat(task.exitCode()).isZero();
        assertThat(task.out()).contains("ok?", runId);

        var approved = aios.cli("approve", taskId, "--comment", "looks right");
        assertThat(approved.exitCode()).as(approved.err()).isZero();
        assertThat(approved.out()).contains("approved");
        aios.eventually("/api/runs/" + runId, run -> run.path("status").asText().equals("completed"));

        var again = aios.cli("event", "send", "test.ping", "--data", "{\"text\":\"hi\"}", "--id", "e-1");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("accepted before");
        assertThat(aios.cli("runs", "--json").out()).contains(runId);
        assertThat(aios.cli("journal", runId).out()).contains("SEQ");
    }

    @Test
    void theOperatorSeesAParkedStepAndSkipsItWithAnOutput() {
        var runId = aios.parkedOrder("c-skip");
        var taskId = aios.openTaskOf(runId).path("id").asText();

        var tasks = aios.cli("tasks");
        assertThat(tasks.exitCode()).as(tasks.err()).isZero();
        assertThat(tasks.out()).contains("OPTIONS").contains(taskId, "dead-letter", "retry/skip/compensate/cancel");

        var task = aios.cli("task", "show", taskId);
        assertThat(task.out())
                .contains("the carrier refused order c-skip")
                .contains("retry: aios retry " + taskId)
                .contains("skip: aios skip " + taskId + " --output JSON")
                .contains("compensate: aios compensate " + taskId);

        var show = aios.cli("run", "show", runId);
        assertThat(show.out())
                .contains("receipt   warehouse:reserve  key " + runId + ":reserve:0:warehouse:reserve  \"res-c-skip\"");

        var withoutOutput = aios.cli("skip", taskId);
        assertThat(withoutOutput.exitCode()).isEqualTo(1);
        assertThat(withoutOutput.err()).contains("'output' is required");
        var badJson = aios.cli("skip", taskId, "--output", "{tracking");
        assertThat(badJson.exitCode()).isEqualTo(2);
        assertThat(badJson.err()).contains("--output is not valid JSON");

        var skipped = aios.cli(
                "skip", taskId, "--output", "{\"order\":\"c-skip\",\"tracking\":\"by-hand\"}", "--comment", "posted");
        assertThat(skipped.exitCode()).as(skipped.err()).isZero();
        assertThat(skipped.out()).contains("task " + taskId + " skipped").contains("goes on past step ship");
        var run = aios.eventually(
                "/api/runs/" + runId, view -> view.path("status").asText().equals("completed"));
        assertThat(run.path("context").path("ship").path("tracking").asText()).isEqualTo("by-hand");
    }

    @Test
    void theOperatorRetriesOrUndoesAParkedStep() {
        var retriedRun = aios.parkedOrder("c-retry");
        var undoneRun = aios.parkedOrder("c-undo");
        ShipPlaybook.FAILING.remove("c-retry");

        var retried = aios.cli("retry", aios.openTaskOf(retriedRun).path("id").asText(), "--comment", "fixed");
        var undone =
                aios.cli("compensate", aios.openTaskOf(undoneRun).path("id").asText());

        assertThat(retried.exitCode()).as(retried.err()).isZero();
        assertThat(retried.out()).contains("retried").contains("tries step ship again");
        assertThat(undone.exitCode()).as(undone.err()).isZero();
        assertThat(undone.out()).contains("run " + undoneRun + " is being undone");
        aios.eventually(
                "/api/runs/" + retriedRun, run -> run.path("status").asText().equals("completed"));
        aios.eventually(
                "/api/runs/" + undoneRun, run -> run.path("status").asText().equals("compensated"));

        var unknown = aios.cli("retry", "no-such-task");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no task no-such-task");
    }

    @Test
    void replaySaysWhetherTheStoredStateIsTheFoldOfTheJournal() throws SQLException {
        var runId = aios.ping("replay me");
        aios.openTaskOf(runId);
        int entries = aios.get("/api/runs/" + runId + "/journal").json().size();

        var matches = aios.cli("replay", runId, "--full");
        assertThat(matches.exitCode()).as(matches.err()).isZero();
        assertThat(matches.out().strip()).isEqualTo("matches: " + entries + " entries replayed from entry 1");

        try (var db = DriverManager.getConnection(
                        "jdbc:sqlite:" + dataDirectory.resolve("aios.db") + "?busy_timeout=5000");
                var tamper = db.prepareStatement(
                        "UPDATE runs SET state = json_set(state, '$.steps.say.text', 'tampered') WHERE id = ?")) {
            tamper.setString(1, runId);
            assertThat(tamper.executeUpdate()).isEqualTo(1);
        }

        var diverges = aios.cli("replay", runId);
        assertThat(diverges.exitCode()).isEqualTo(1);
        assertThat(diverges.out()).contains("say");
        assertThat(diverges.err()).contains("1 divergence").contains("aios admin verify");
    }

    @Test
    void aSubjectIsForgotten() {
        var runId = aios.post(
                        "/api/events", "{\"type\":\"test.ping\",\"subject\":\"gone\",\"data\":{\"text\":\"private\"}}")
                .json()
                .path("started")
                .get(0)
                .asText();
        aios.openTaskOf(runId);

        var forgotten = aios.cli("forget", "gone");

        assertThat(forgotten.exitCode()).as(forgotten.err()).isZero();
        assertThat(forgotten.out()).startsWith("forgot gone: 1 key destroyed, 1 run cancelled, 1 run scrubbed");
        String pseudonym = forgotten.out().replaceAll("(?s).*its records now say (forgotten:[0-9a-f]+).*", "$1");
        assertThat(pseudonym).startsWith("forgotten:");
        assertThat(aios.cli("run", "show", runId).out())
                .doesNotContain("private")
                .doesNotContain("gone");

        var check = aios.cli("forget", "--check", "gone");
        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.out())
                .startsWith("gone was forgotten at ")
                .contains(pseudonym, "1 run", "aios runs --subject " + pseudonym);
        assertThat(aios.cli("runs", "--subject", pseudonym).out()).contains(runId);
        assertThat(aios.cli("forget", "--check", "never-seen").out()).startsWith("never-seen was not forgotten");
        assertThat(aios.cli("forget", "gone").out())
                .startsWith("gone was already forgotten (as " + pseudonym + "); nothing about it was kept since");
        assertThat(aios.cli("audit").out())
                .contains("subject.forget")
                .contains(pseudonym)
                .doesNotContain("gone");
    }

    @Test
    void invalidDataJsonIsAUsageErrorAndSendsNothing() {
        var result = aios.cli("event", "send", "test.ping", "--data", "{text: hi");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--data is not valid JSON");
        assertThat(aios.get("/api/runs").json()).isEmpty();
    }

    @Test
    void dataThatIsNotAnObjectIsAUsageError() {
        var result = aios.cli("event", "send", "test.ping", "--data", "[1]");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--data must be a JSON object");
    }

    @Test
    void aProblemFromTheServerIsOneLineAndExitCodeOne() {
        var unknown = aios.cli("run", "show", "no-such-run");
        var badStatus = aios.cli("runs", "--status", "sleeping");

        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err().strip()).doesNotContain("\n").contains("no-such-run");
        assertThat(badStatus.exitCode()).isEqualTo(1);
        assertThat(badStatus.err()).contains("sleeping");
    }

    @Test
    void withoutAServerTheCommandSaysHowToStartOne() throws IOException {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var url = "http://localhost:" + closedPort;

        var result = TestAios.cli(Map.of(), "runs", "--server", url);
        var fromEnvironment = TestAios.cli(Map.of("AIOS_PORT", Integer.toString(closedPort)), "tasks");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().strip()).isEqualTo("no aios server at " + url + "; start it with ./aios up");
        assertThat(fromEnvironment.exitCode()).isEqualTo(1);
        assertThat(fromEnvironment.err()).contains("no aios server at " + url);
    }

    @Test
    void theServerUrlComesFromTheEnvironment() {
        var result = TestAios.cli(Map.of("AIOS_URL", aios.url, "AIOS_TOKEN", aios.token), "playbooks");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains(EchoPlaybook.NAME);
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(TestAios.cli(Map.of(), "runs", "--limit", "lots").exitCode()).isEqualTo(2);
        assertThat(TestAios.cli(Map.of(), "no-such-command").exitCode()).isEqualTo(2);
        assertThat(TestAios.cli(Map.of(), "approve").exitCode()).isEqualTo(2);
        assertThat(TestAios.cli(Map.of(), "runs", "--server", "not a url").exitCode())
                .isEqualTo(2);
    }

    @Test
    void theVersionIsPrinted() {
        var result = TestAios.cli(Map.of(), "--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("aios ");
    }

    @Test
    void agentsAndPlaybooksAreListed() {
        assertThat(aios.cli("agents").out()).contains("echo", "1.0.0");
        assertThat(aios.cli("playbooks").out()).contains(EchoPlaybook.NAME, "test.ping");
    }

    @Test
    @Timeout(30)
    void upRefusesAPortThatIsInUse(@TempDir Path otherData) {
        int taken = aios.server.port();

        var result = TestAios.cli(
                Map.of(),
                "up",
                "--data",
                otherData.resolve("data").toString(),
                "--playbooks",
                otherData.resolve("playbooks").toString(),
                "--port",
                Integer.toString(taken),
                "--no-examples");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().strip())
                .isEqualTo("port " + taken + " is in use; pass --port N or stop the other process");
    }

    @Test
    void adminVerifyChecksAStoppedDataDirectory() {
        var runId = aios.ping("verify me");
        aios.openTaskOf(runId);
        aios.close();

        var verified = TestAios.cli(Map.of(), "admin", "verify", "--data", dataDirectory.toString());
        var rebuilt = TestAios.cli(Map.of("AIOS_DATA", dataDirectory.toString()), "admin", "rebuild");

        assertThat(verified.exitCode()).as(verified.err()).isZero();
        assertThat(verified.out()).startsWith("ok: 1 runs, ").contains("journal entries verified");
        assertThat(rebuilt.exitCode()).as(rebuilt.err()).isZero();
        assertThat(rebuilt.out()).contains("rebuilt 1 runs");
        // Progress goes to standard error (plain lines off a terminal), the result to standard output.
        assertThat(verified.err()).contains("verify: run checks: 2 of 2 (100%)");
        assertThat(rebuilt.err()).contains("rebuild: runs: 1 of 1 (100%)");
    }

    @Test
    void adminRefusesAMissingDataDirectory(@TempDir Path empty) {
        var result = TestAios.cli(
                Map.of(), "admin", "verify", "--data", empty.resolve("nothing").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("no data directory at").contains("--data DIR");
    }
}
