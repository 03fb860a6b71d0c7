package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator edits a playbook file and asks, before loading it, what it would have done with past runs. */
class WhatIfCliTest {
    static final String EDITED = """
            name: echo-then-approve
            description: Echoes the ping's text, shouting, then asks the operator
            trigger: test.ping
            steps:
              - id: say
                agent: echo
                input: { text: event.data.text.upperAscii() }
              - id: check
                approval: { title: "ok?" }
                next: end
            """;

    @TempDir
    Path directory;

    TestAios aios;

    @BeforeEach
    void start() {
        aios = TestAios.start(directory.resolve("data"));
    }

    @AfterEach
    void stop() {
        aios.close();
    }

    String finishedPing(String text) {
        var runId = aios.ping(text);
        var task = aios.openTaskOf(runId).path("id").asText();
        assertThat(aios.cli("approve", task).exitCode()).isZero();
        aios.eventually("/api/runs/" + runId, run -> run.path("status").asText().equals("completed"));
        return runId;
    }

    @Test
    void anEditedFileIsReplayedAgainstPastRunsWithoutLoadingIt() throws Exception {
        var shouted = finishedPing("hi");
        var quiet = finishedPing("OK");
        var file = Files.writeString(directory.resolve("echo.yaml"), EDITED);

        var replay = aios.cli("replay", shouted, "--against", file.toString());
        assertThat(replay.exitCode()).as(replay.err()).isZero();
        assertThat(replay.out())
                .contains("run " + shouted + " (echo-then-approve@")
                .contains("diverges (1 differences in 2 steps)")
                .contains("  say  input-changed  would get text = \"HI\" instead of \"hi\"");

        var diff = aios.cli("playbook", "diff", "echo-then-approve", file.toString(), "--last", "5");
        assertThat(diff.exitCode()).as(diff.err()).isZero();
        assertThat(diff.out())
                .contains("steps changed: say")
                .contains("1 of the last 2 finished runs would behave differently:")
                .contains("run " + shouted)
                .doesNotContain("run " + quiet);

        var playbooks = aios.get("/api/playbooks").json().findValuesAsText("name");
        assertThat(playbooks.stream().filter(name -> name.equals("echo-then-approve")))
                .as("the file was not loaded")
                .hasSize(1);

        var unknown = aios.cli("replay", shouted, "--against", "echo-then-approve@000000000000");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("echo-then-approve@000000000000 is not loaded");
    }

    @Test
    void aRunStillGoingCannotBeReplayedAgainstAnotherVersion() {
        var runId = aios.ping("hi");
        aios.openTaskOf(runId);

        var answer = aios.post("/api/runs/" + runId + "/replay", "{\"against\":\"echo-then-approve@abc\"}");
        assertThat(answer.status()).isEqualTo(404);
        var current = aios.get("/api/runs/" + runId).json().path("version").asText();
        var refused = aios.post("/api/runs/" + runId + "/replay?against=" + current, "");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().path("detail").asText())
                .contains("is still waiting")
                .contains("once it has ended");
    }
}
