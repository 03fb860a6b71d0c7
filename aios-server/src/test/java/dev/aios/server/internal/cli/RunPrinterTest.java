package dev.aios.server.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.server.internal.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class RunPrinterTest {
    @Test
    void aStepShowsItsReceiptsAndWhatItUsed() throws Exception {
        var run = Json.mapper().readTree("""
                {"id": "r-1", "playbook": "notes", "version": "v1", "subject": "acme", "status": "completed",
                 "steps": [{"id": "write", "kind": "agent", "iteration": 0, "status": "completed",
                            "agent": "write-note@1.0.0", "playbookVersion": "v1",
                            "attempts": [{"attempt": 1, "outcome": "completed"}],
                            "receipts": [{"name": "email:send", "key": "r-1:write:0:email:send",
                                          "at": "2025-01-31T09:30:00Z", "result": {"messageId": "m-7"}}],
                            "provenance": [{"kind": "tool:shout", "detail": {"input": {"client": "acme"}}},
                                           {"kind": "model", "detail": "small: gpt-x, 120 tokens"}]}],
                 "tasks": []}""");

        var printed = print(run);

        assertThat(printed)
                .contains("  trace     " + dev.aios.kernel.RunTraces.traceId("r-1"))
                .contains("      receipt   email:send  key r-1:write:0:email:send  {\"messageId\":\"m-7\"}")
                .contains("      provenance tool:shout: {\"input\":{\"client\":\"acme\"}}")
                .contains("      provenance model: small: gpt-x, 120 tokens");
    }

    @Test
    void aConversationIsShownTurnByTurn() throws Exception {
        var run = Json.mapper().readTree("""
                {"id": "r-2", "playbook": "polish", "version": "v1", "subject": "acme", "status": "completed",
                 "steps": [{"id": "polish", "kind": "conversation", "iteration": 0, "status": "completed",
                            "playbookVersion": "v1", "attempts": [{"attempt": 1, "outcome": "completed"}],
                            "output": {"turns": 2, "costUsd": "0.15", "endedBy": "until", "transcript": [
                              {"turn": 0, "speaker": "drafter", "agent": "draft", "costUsd": "0.10",
                               "output": {"text": "v1"}},
                              {"turn": 1, "speaker": "reviewer", "agent": "review", "costUsd": "0.05",
                               "output": {"approved": true}}]}}],
                 "tasks": []}""");

        var printed = print(run);

        assertThat(printed)
                .contains("      transcript 2 turns, ended by until, cost $0.15")
                .contains("      turn 1    drafter (draft, $0.10)  {\"text\":\"v1\"}")
                .contains("      turn 2    reviewer (review, $0.05)  {\"approved\":true}")
                .doesNotContain("output");
    }

    @Test
    void aTaskSaysHowToAnswerEachOption() throws Exception {
        var task = Json.mapper().readTree("""
                {"id": "t-1", "runId": "r-1", "stepId": "undo", "kind": "compensation", "status": "open",
                 "title": "Undoing step charge failed", "options": ["retry", "skip"]}""");

        var out = new StringWriter();
        new RunPrinter(new PrintWriter(out, true)).task(task);

        assertThat(out.toString())
                .contains("answer    retry: aios retry t-1")
                .contains("skip: aios skip t-1\n")
                .doesNotContain("--output");
    }

    private static String print(JsonNode run) {
        var out = new StringWriter();
        new RunPrinter(new PrintWriter(out, true)).run(run);
        return out.toString();
    }
}
