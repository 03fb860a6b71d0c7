package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conversations through the public API: agents take turns in the order listed, each turn a step of
 * its own with its model cost, until the condition holds, the turns run out or the budget is spent;
 * the transcript is the step's output.
 */
class ConversationTest {
    record Brief(String topic, String feedback, int round) {}

    record Draft(String text, int round) {}

    record Notes(String text, int round) {}

    record Verdict(boolean approved, String notes) {}

    /** Every call, in order. */
    static final List<String> CALLS = new CopyOnWriteArrayList<>();

    /** Writes a draft; each call costs 10 cents of model time. */
    static final class Drafter implements Agent<Brief, Draft> {
        @Override
        public Contract<Brief, Draft> contract() {
            return Contract.of("draft", "1.0.0", Brief.class, Draft.class);
        }

        @Override
        public Draft run(Brief input, AgentContext ctx) {
            CALLS.add("draft " + input.round() + (input.feedback().isEmpty() ? "" : " after " + input.feedback()));
            ctx.note("model", JSON.createObjectNode().put("model", "small").put("costUsd", "0.10"));
            return new Draft(input.topic() + " v" + (input.round() + 1), input.round() + 1);
        }
    }

    /** Approves the third draft and asks for changes before; costs 5 cents a call. */
    static final class Reviewer implements Agent<Notes, Verdict> {
        @Override
        public Contract<Notes, Verdict> contract() {
            return Contract.of("review", "1.0.0", Notes.class, Verdict.class);
        }

        @Override
        public Verdict run(Notes input, AgentContext ctx) {
            CALLS.add("review " + input.text());
            ctx.note("model", JSON.createObjectNode().put("model", "large").put("costUsd", "0.05"));
            return new Verdict(input.round() >= 3, input.round() >= 3 ? "ship it" : "tighten " + input.text());
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    static final String PLAYBOOK = """
            name: polish
            trigger: brief.received
            steps:
              - id: polish
                conversation:
                  agents:
                    - name: drafter
                      agent: draft
                      input:
                        topic: event.data.topic
                        feedback: "last == null ? '' : last.output.notes"
                        round: "size(transcript) / 2"
                    - name: reviewer
                      agent: review
                      input: { text: last.output.text, round: last.output.round }
                  until: last.speaker == 'reviewer' && last.output.approved
                  maxTurns: MAX_TURNS
                  BUDGET
              - id: publish
                agent: draft
                input: { topic: "'final ' + string(steps.polish.turns)", feedback: "''", round: 0 }
            """;

    @TempDir
    Path dir;

    Kernel kernel;

    @BeforeEach
    void clear() throws Exception {
        CALLS.clear();
        Files.createDirectories(dir.resolve("playbooks"));
    }

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
    }

    void open(int maxTurns, String budget) throws Exception {
        Files.writeString(
                dir.resolve("playbooks/polish.yaml"),
                PLAYBOOK.replace("MAX_TURNS", Integer.toString(maxTurns))
                        .replace("BUDGET", budget.isEmpty() ? "" : "budget: " + budget));
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .agent(new Drafter())
                .agent(new Reviewer())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        assertThat(kernel.lastLoad().refused()).isEmpty();
    }

    String start() throws Exception {
        var accepted = kernel.send(new Event(
                UUID.randomUUID().toString(),
                "brief.received",
                "acme",
                "test",
                Instant.now(),
                JSON.readTree("{\"topic\":\"launch post\"}"),
                "",
                ""));
        return accepted.started().getFirst();
    }

    RunView completed(String runId) {
        return Eventually.await(() -> kernel.run(runId), r -> r.status() == RunStatus.COMPLETED);
    }

    @Test
    void agentsTakeTurnsUntilTheReviewerApprovesAndTheTranscriptIsTheStepsOutput() throws Exception {
        open(10, "");
        var runId = start();

        var run = completed(runId);

        assertThat(CALLS)
                .containsExactly(
                        "draft 0",
                        "review launch post v1",
                        "draft 1 after tighten launch post v1",
                        "review launch post v2",
                        "draft 2 after tighten launch post v2",
                        "review launch post v3",
                        "draft 0");
        JsonNode polish = run.context().path("polish");
        assertThat(polish.path("turns").asInt()).isEqualTo(6);
        assertThat(polish.path("endedBy").asText()).isEqualTo("until");
        assertThat(polish.path("costUsd").asText()).isEqualTo("0.45");
        var transcript = polish.path("transcript");
        assertThat(transcript.get(0).path("speaker").asText()).isEqualTo("drafter");
        assertThat(transcript.get(0).path("agent").asText()).isEqualTo("draft");
        assertThat(transcript.get(0).path("costUsd").asText()).isEqualTo("0.10");
        assertThat(transcript.get(5).path("speaker").asText()).isEqualTo("reviewer");
        assertThat(transcript.get(5).path("output").path("notes").asText()).isEqualTo("ship it");
        assertThat(run.context().path("publish").path("text").asText())
                .as("later steps see the conversation's output")
                .isEqualTo("final 6 v1");
        assertThat(kernel.journal(runId).stream()
                        .filter(r -> r.type().equals("StepCompleted"))
                        .map(r -> r.data().path("step").asText()))
                .as("each turn is a journaled step of its own under the conversation's path")
                .containsExactly(
                        "polish[0]/drafter",
                        "polish[1]/reviewer",
                        "polish[2]/drafter",
                        "polish[3]/reviewer",
                        "polish[4]/drafter",
                        "polish[5]/reviewer",
                        "polish",
                        "publish");
        assertThat(kernel.verify().problems()).isEmpty();
        assertThat(kernel.replay(runId, true).divergences()).isEmpty();
        assertThat(kernel.replay(runId, run.version()).same())
                .as("a what-if replay against the same version finds the same turns")
                .isTrue();
    }

    @Test
    void aConversationThatNeverAgreesStopsAfterMaxTurns() throws Exception {
        open(3, "");

        var run = completed(start());

        assertThat(run.context().path("polish").path("turns").asInt()).isEqualTo(3);
        assertThat(run.context().path("polish").path("endedBy").asText()).isEqualTo("maxTurns");
        assertThat(CALLS).hasSize(4);
    }

    @Test
    void aConversationStopsOnceItsTurnsCostTheBudget() throws Exception {
        open(10, "0.25");

        var run = completed(start());

        // 0.10 + 0.05 + 0.10 = 0.25 reaches the budget after the third turn
        assertThat(run.context().path("polish").path("turns").asInt()).isEqualTo(3);
        assertThat(run.context().path("polish").path("endedBy").asText()).isEqualTo("budget");
        assertThat(run.context().path("polish").path("costUsd").asText()).isEqualTo("0.25");
    }
}
