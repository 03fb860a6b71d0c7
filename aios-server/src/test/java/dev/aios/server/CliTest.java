package dev.aios.server;

import static dev.aios.server.TestAios.step;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
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
        var result = TestAios.cli(Map.of("AIOS_URL", aios.url), "playbooks");

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
    }

    @Test
    void adminRefusesAMissingDataDirectory(@TempDir Path empty) {
        var result = TestAios.cli(
                Map.of(), "admin", "verify", "--data", empty.resolve("nothing").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("no data directory at").contains("--data DIR");
    }
}
