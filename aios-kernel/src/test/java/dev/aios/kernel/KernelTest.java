package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelTest {
    record Lead(String company, int budget) {}

    record Score(int score, double confidence) {}

    /** Scores by budget; confidence is low for small budgets. */
    static final class Scorer implements Agent<Lead, Score> {
        @Override
        public Contract<Lead, Score> contract() {
            return Contract.of("score-lead", "1.0.0", Lead.class, Score.class);
        }

        @Override
        public Score run(Lead input, AgentContext context) {
            return new Score(Math.min(100, input.budget() / 100), input.budget() >= 5000 ? 0.95 : 0.5);
        }
    }

    record Note(String text) {}

    static final class Reminder implements Agent<Note, Note> {
        @Override
        public Contract<Note, Note> contract() {
            return Contract.of("remind", "1.0.0", Note.class, Note.class);
        }

        @Override
        public Note run(Note input, AgentContext context) {
            return new Note("reminded: " + input.text() + " #" + context.iteration());
        }
    }

    static final String PLAYBOOK = """
            name: onboarding
            trigger:
              event: lead.received
            steps:
              - id: score
                agent: score-lead
                input:
                  company: event.subject
                  budget: event.data.budget
                approval:
                  when: output.confidence < 0.8
              - id: sprint
                wait:
                  for: 48h
              - id: deliver
                await:
                  event: delivery.accepted
                  timeout: P7D
                  onTimeout: remind
                next: announce
              - id: announce
                emit:
                  type: project.delivered
                  data:
                    score: steps.score.score
                next: end
              - id: remind
                agent: remind
                input:
                  text: run.subject
                next: deliver
            """;

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    TestClock clock = new TestClock();
    Kernel kernel;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/onboarding.yaml"), PLAYBOOK);
        kernel = open();
    }

    Kernel open() {
        var k = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .agent(new Scorer())
                .agent(new Reminder())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        k.start();
        return k;
    }

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
    }

    Accepted send(String type, String subject, String data) throws Exception {
        return kernel.send(new Event(
                UUID.randomUUID().toString(), type, subject, "test", clock.instant(), JSON.readTree(data), "", ""));
    }

    RunView awaitStatus(String runId, RunStatus status) {
        return Eventually.await(() -> kernel.run(runId), r -> r.status() == status);
    }

    @Test
    void aRunGoesThroughAgentWaitAwaitAndEmit() throws Exception {
        var accepted = send("lead.received", "acme", "{\"budget\": 9000}");
        assertThat(accepted.started()).hasSize(1);
        String runId = accepted.started().getFirst();

        var waiting = awaitStatus(runId, RunStatus.WAITING);
        assertThat(waiting.context().path("score").path("score").asInt()).isEqualTo(90);
        assertThat(waiting.steps()).extracting(StepView::id).containsExactly("score", "sprint");

        clock.advance(Duration.ofHours(49));
        kernel.wake();
        Eventually.await(() -> kernel.run(runId), r -> r.steps().stream()
                .anyMatch(s -> s.id().equals("deliver") && s.status().equals(StepStatus.WAITING)));

        var resumed = send("delivery.accepted", "acme", "{}");
        assertThat(resumed.resumed()).containsExactly(runId);
        var done = awaitStatus(runId, RunStatus.COMPLETED);
        assertThat(done.context().path("announce").path("eventId").asText()).startsWith("e-");

        var verify = kernel.verify();
        assertThat(verify.problems()).isEmpty();
    }

    @Test
    void aLowConfidenceScoreWaitsForTheOperatorWhoCanEditIt() throws Exception {
        String runId =
                send("lead.received", "tiny", "{\"budget\": 1000}").started().getFirst();
        awaitStatus(runId, RunStatus.WAITING);
        var task =
                Eventually.await(() -> kernel.tasks(false), t -> !t.isEmpty()).getFirst();
        assertThat(task.kind()).isEqualTo(TaskKind.REVIEW);
        assertThat(task.proposed().path("confidence").asDouble()).isEqualTo(0.5);

        assertThatThrownBy(() -> kernel.approve(task.id(), Optional.of(JSON.readTree("{\"score\": \"high\"}")), ""))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("score");

        kernel.approve(task.id(), Optional.of(JSON.readTree("{\"score\": 70, \"confidence\": 1.0}")), "looks fine");
        var run = Eventually.await(() -> kernel.run(runId), r -> r.steps().size() >= 2);
        assertThat(run.context().path("score").path("score").asInt()).isEqualTo(70);
        assertThatThrownBy(() -> kernel.approve(task.id(), Optional.empty(), ""))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("already approved");
    }

    @Test
    void anEventThatArrivesBeforeTheAwaitBeginsIsStillTaken() throws Exception {
        send("delivery.accepted", "early", "{\"note\": \"before the run\"}");
        String runId =
                send("lead.received", "early", "{\"budget\": 9000}").started().getFirst();
        awaitStatus(runId, RunStatus.WAITING);
        // The client accepts while the sprint is still running.
        var accepted = send("delivery.accepted", "early", "{\"note\": \"during the sprint\"}");
        assertThat(accepted.resumed()).isEmpty();

        clock.advance(Duration.ofHours(49));
        kernel.wake();
        var done = awaitStatus(runId, RunStatus.COMPLETED);
        assertThat(done.context().path("deliver").path("data").path("note").asText())
                .isEqualTo("during the sprint");
    }

    @Test
    void anEventIdSeenBeforeStartsNothing() throws Exception {
        var event = new Event(
                "lead-1",
                "lead.received",
                "acme",
                "test",
                clock.instant(),
                JSON.readTree("{\"budget\": 9000}"),
                "",
                "");
        assertThat(kernel.send(event).started()).hasSize(1);
        var again = kernel.send(event);
        assertThat(again.duplicate()).isTrue();
        assertThat(again.started()).isEmpty();
        assertThat(kernel.runs(RunQuery.all())).hasSize(1);
    }

    @Test
    void aTimeoutTakesTheDeclaredPathAndLoopsBackDurably() throws Exception {
        String runId =
                send("lead.received", "slow", "{\"budget\": 9000}").started().getFirst();
        awaitStatus(runId, RunStatus.WAITING);
        clock.advance(Duration.ofHours(49));
        kernel.wake();
        Eventually.await(() -> kernel.run(runId), r -> r.steps().stream().anyMatch(s -> s.id().equals("deliver")));

        // Restart in the middle of the await: the timeout must still fire, once.
        kernel.close();
        kernel = open();
        clock.advance(Duration.ofDays(8));
        kernel.wake();
        var reminded = Eventually.await(() -> kernel.run(runId), r -> r.steps().stream()
                .anyMatch(s -> s.id().equals("deliver") && s.iteration() == 1));
        JsonNode remind = reminded.context().path("remind");
        assertThat(remind.path("text").asText()).isEqualTo("reminded: slow #0");
        assertThat(kernel.journal(runId).stream().filter(e -> e.type().equals("AwaitTimedOut")))
                .hasSize(1);
    }

    @Test
    void unknownIdsAreClearErrors() {
        assertThatThrownBy(() -> kernel.run("r-nope")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> kernel.approve("t-nope", Optional.empty(), "")).isInstanceOf(NotFoundException.class);
    }
}
