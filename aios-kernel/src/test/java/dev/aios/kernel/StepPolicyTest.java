package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.kernel.spi.Admission;
import dev.aios.kernel.spi.Escalation;
import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.StepFacts;
import dev.aios.kernel.spi.StepPolicy;
import dev.aios.kernel.spi.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The central policy seam: an extension's {@link StepPolicy} decides on every agent step after the
 * playbook's own rules, switches agents by flag, and escalates open tasks on a durable timer.
 */
class StepPolicyTest {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    record Lead(String company, int amount) {}

    record Draft(String text, double confidence) {}

    /** Drafts a quote; sure of itself for small amounts. */
    static final class Quote implements Agent<Lead, Draft> {
        @Override
        public Contract<Lead, Draft> contract() {
            return Contract.of("draft-quote", "1.0.0", Lead.class, Draft.class).withEffects("mail");
        }

        @Override
        public Draft run(Lead input, AgentContext context) throws Exception {
            if (input.company().equals("sender")) {
                context.effect("mail:send", String.class, key -> "sent " + key);
            }
            return new Draft(
                    "Quote for " + input.company() + ": " + input.amount(), input.amount() < 1000 ? 0.95 : 0.6);
        }
    }

    /** A plain template the step falls back to. */
    static final class Template implements Agent<Lead, Draft> {
        @Override
        public Contract<Lead, Draft> contract() {
            return Contract.of("quote-template", "1.0.0", Lead.class, Draft.class);
        }

        @Override
        public Draft run(Lead input, AgentContext context) {
            return new Draft("Standard quote for " + input.company(), 1.0);
        }
    }

    static final String PLAYBOOK = """
            name: quoting
            trigger:
              event: lead.received
            steps:
              - id: quote
                agent: draft-quote
                fallback: quote-template
                input:
                  company: event.subject
                  amount: event.data.amount
                approval:
                  when: output.confidence < 0.8
              - id: done
                emit:
                  type: quote.sent
                  data:
                    text: steps.quote.text
                next: end
            """;

    /** A policy whose answers each test sets. */
    static final class ScriptedPolicy implements StepPolicy, Extension {
        volatile Function<StepFacts, Admission> admit = facts -> new Admission.Run(seen("on"));
        volatile BiFunction<StepFacts, JsonNode, Verdict> judge =
                (facts, output) -> new Verdict(Verdict.Decision.AUTO, "", "", seen("auto"));
        volatile Optional<Duration> escalateAfter = Optional.empty();
        volatile Function<TaskView, Escalation> escalate =
                task -> new Escalation("none", "nothing to do", JSON.objectNode(), Optional.empty(), Optional.empty());
        final List<Boolean> playbookReviews = new CopyOnWriteArrayList<>();
        TestClock clock;

        @Override
        public void attach(ExtensionHost host) {
            host.stepPolicy(this);
        }

        @Override
        public Admission admit(StepFacts step) {
            return admit.apply(step);
        }

        @Override
        public Verdict judge(StepFacts step, JsonNode output, boolean playbookReview) {
            playbookReviews.add(playbookReview);
            return judge.apply(step, output);
        }

        @Override
        public Optional<Instant> escalateAt(StepFacts step, String taskKind) {
            return escalateAfter.map(after -> clock.instant().plus(after));
        }

        @Override
        public Escalation escalate(TaskView task) {
            return escalate.apply(task);
        }
    }

    static ObjectNode seen(String state) {
        return JSON.objectNode().put("state", state);
    }

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    final ScriptedPolicy policy = new ScriptedPolicy();
    Kernel kernel;

    @BeforeEach
    void start() throws Exception {
        policy.clock = clock;
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/quoting.yaml"), PLAYBOOK);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .agent(new Quote())
                .agent(new Template())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .extension(policy)
                .build();
        kernel.start();
    }

    @AfterEach
    void stop() {
        kernel.close();
    }

    String lead(String company, int amount) {
        var data = JSON.objectNode().put("amount", amount);
        var accepted = kernel.send(new Event(
                UUID.randomUUID().toString(), "lead.received", company, "test", clock.instant(), data, "", ""));
        return accepted.started().getFirst();
    }

    RunView settled(String runId) {
        return Eventually.await(
                () -> kernel.run(runId),
                run -> run.status() != RunStatus.RUNNING && run.status() != RunStatus.WAITING
                        || !run.tasks().isEmpty() && run.tasks().stream().anyMatch(t -> t.status() == TaskStatus.OPEN));
    }

    TaskView openTask(String runId) {
        return settled(runId).tasks().stream()
                .filter(t -> t.status() == TaskStatus.OPEN)
                .findFirst()
                .orElseThrow();
    }

    static List<String> noteKinds(StepView step) {
        return step.provenance().stream().map(n -> n.path("kind").asText()).toList();
    }

    @Test
    void aPolicyGateHoldsAnOutputThePlaybookWouldCommitAndTheTaskShowsTheRule() {
        policy.judge = (facts, output) -> new Verdict(
                Verdict.Decision.APPROVE,
                "gate review-quotes",
                "gate review-quotes holds (`agent == 'draft-quote'`)",
                JSON.objectNode().put("decision", "approve").put("rule", "review-quotes"));
        var run = lead("acme", 200);

        var task = openTask(run);

        assertThat(task.kind()).isEqualTo(TaskKind.REVIEW);
        assertThat(task.details().path("rule").asText()).isEqualTo("gate review-quotes");
        assertThat(task.explanation()).contains("review-quotes");
        assertThat(policy.playbookReviews).containsExactly(false);
        var step = kernel.run(run).steps().getFirst();
        assertThat(noteKinds(step)).containsExactly("flag", "policy");
        kernel.approve(task.id(), Optional.empty(), "fine");
        assertThat(Eventually.await(() -> kernel.run(run), r -> r.status() == RunStatus.COMPLETED)
                        .status())
                .isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void aPolicyCannotLetThroughWhatThePlaybookHoldsBack() {
        var run = lead("acme", 5000); // confidence 0.6: the playbook's rule holds

        var task = openTask(run);

        assertThat(policy.playbookReviews).containsExactly(true);
        assertThat(task.details().path("rule").asText()).isEqualTo("output.confidence < 0.8");
    }

    @Test
    void aBlockedOutputCanOnlyBeEditedOrRejected() {
        policy.judge = (facts, output) -> new Verdict(
                Verdict.Decision.BLOCK,
                "gate no-large-quotes",
                "gate no-large-quotes blocks quotes over 100",
                JSON.objectNode().put("decision", "block"));
        var run = lead("acme", 200);

        var task = openTask(run);

        assertThat(task.options()).containsExactly(TaskOption.EDIT, TaskOption.REJECT);
        assertThat(task.title()).startsWith("Blocked");
        assertThatThrownBy(() -> kernel.approve(task.id(), Optional.empty(), ""))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("--edit");
        assertThat(kernel.task(task.id()).status()).isEqualTo(TaskStatus.OPEN);
        var edited = JSON.objectNode().put("text", "A smaller quote").put("confidence", 1.0);
        kernel.approve(task.id(), Optional.of(edited), "");
        var done = Eventually.await(() -> kernel.run(run), r -> r.status() == RunStatus.COMPLETED);
        assertThat(done.context().path("quote").path("text").asText()).isEqualTo("A smaller quote");
    }

    @Test
    void anAgentSwitchedOffHandsItsStepToTheDeclaredFallbackAndTheRunRecordsTheFlag() {
        policy.admit = facts -> new Admission.Off(
                "draft-quote is off for new clients", seen("off").put("segment", "new-clients"));

        var started = lead("acme", 200);
        var run = Eventually.await(() -> kernel.run(started), r -> r.status() == RunStatus.COMPLETED);

        var step = run.steps().getFirst();
        assertThat(step.agent()).contains("quote-template@1.0.0");
        assertThat(step.output().path("text").asText()).isEqualTo("Standard quote for acme");
        assertThat(noteKinds(step)).containsExactly("flag", "fallback", "policy");
        assertThat(step.provenance().getFirst().path("detail").path("segment").asText())
                .isEqualTo("new-clients");
    }

    @Test
    void anAgentSwitchedOffWithoutAFallbackBecomesTheOperatorsToDo() throws Exception {
        Files.writeString(
                dir.resolve("playbooks/quoting.yaml"), PLAYBOOK.replace("    fallback: quote-template\n", ""));
        kernel.reloadPlaybooks();
        policy.admit = facts -> new Admission.Off("draft-quote is switched off", seen("off"));
        var run = lead("acme", 200);

        var task = openTask(run);

        assertThat(task.kind()).isEqualTo(TaskKind.DRAFT);
        assertThat(task.options()).containsExactly(TaskOption.EDIT, TaskOption.REJECT);
        assertThat(task.explanation()).contains("switched off").contains("no fallback");
    }

    @Test
    void aShadowedAgentRunsButItsOutputIsOnlyShownBesideTheOperatorsOwnAnswer() {
        policy.admit = facts -> new Admission.Shadow("draft-quote is in the shadow", Set.of(), seen("shadow"));
        var run = lead("acme", 200);

        var task = openTask(run);

        assertThat(task.kind()).isEqualTo(TaskKind.DRAFT);
        assertThat(task.details().path("shadow").path("text").asText()).isEqualTo("Quote for acme: 200");
        assertThat(task.proposed().isEmpty()).isTrue();
        var mine = JSON.objectNode().put("text", "My own quote").put("confidence", 1.0);
        kernel.approve(task.id(), Optional.of(mine), "");
        var done = Eventually.await(() -> kernel.run(run), r -> r.status() == RunStatus.COMPLETED);
        assertThat(done.context().path("quote").path("text").asText()).isEqualTo("My own quote");
    }

    @Test
    void aShadowedAgentDoesNotPerformItsEffects() {
        policy.admit = facts -> new Admission.Shadow("in the shadow", Set.of(), seen("shadow"));
        var run = lead("sender", 200);

        var task = openTask(run);

        assertThat(task.details().path("shadow").path("failed").asText()).contains("not performed");
        assertThat(kernel.run(run).steps().getFirst().receipts()).isEmpty();
    }

    @Test
    void aRateLimitedStepWaitsWithoutUsingAnAttempt() {
        Instant until = clock.instant().plus(Duration.ofMinutes(10));
        policy.admit = facts -> clock.instant().isBefore(until)
                ? new Admission.Defer("draft-quote: at most 10 a minute", until, seen("limited"))
                : new Admission.Run(seen("on"));
        var run = lead("acme", 200);
        Eventually.await(
                () -> kernel.run(run).steps().getFirst(),
                step -> step.status() == StepStatus.DEFERRED
                        && step.deferredBy().equals(Optional.of("limit")));

        clock.advance(Duration.ofMinutes(11));
        kernel.wake();

        var done = Eventually.await(() -> kernel.run(run), r -> r.status() == RunStatus.COMPLETED);
        assertThat(done.steps().getFirst().attempts().getLast().attempt()).isEqualTo(1);
    }

    @Test
    void aPolicyThatFailsHoldsTheOutputForTheOperator() {
        policy.judge = (facts, output) -> {
            throw new IllegalStateException("segment store unreachable");
        };
        var task = openTask(lead("acme", 200));

        assertThat(task.explanation()).contains("could not be consulted").contains("segment store unreachable");
    }

    @Test
    void anOpenTaskEscalatesOnATimerAndItsHistoryShowsEveryStep() {
        policy.judge =
                (facts, output) -> new Verdict(Verdict.Decision.APPROVE, "gate review", "reviewed", JSON.objectNode());
        policy.escalateAfter = Optional.of(Duration.ofHours(4));
        policy.escalate = task -> task.escalations().size() < 2
                ? new Escalation(
                        "remind",
                        "reminded the operator by webhook",
                        JSON.objectNode().put("to", "hook"),
                        Optional.of(clock.instant().plus(Duration.ofDays(1))),
                        Optional.empty())
                : new Escalation(
                        "default",
                        "approved by default after a day",
                        JSON.objectNode(),
                        Optional.empty(),
                        Optional.of(new Escalation.Answer(true, Optional.empty(), "default action of rule quotes")));
        var run = lead("acme", 200);
        var task = openTask(run);
        assertThat(task.escalations())
                .singleElement()
                .satisfies(e -> assertThat(e.path("rail").asText()).isEqualTo("plan"));

        clock.advance(Duration.ofHours(3));
        kernel.wake();
        assertThat(kernel.task(task.id()).escalations()).hasSize(1);
        clock.advance(Duration.ofHours(2));
        kernel.wake();
        Eventually.await(() -> kernel.task(task.id()).escalations(), e -> e.size() == 2);
        clock.advance(Duration.ofDays(1));
        kernel.wake();

        var answered = Eventually.await(() -> kernel.task(task.id()), t -> t.status() == TaskStatus.APPROVED);
        assertThat(answered.escalations())
                .extracting(e -> e.path("rail").asText())
                .containsExactly("plan", "remind", "default");
        assertThat(answered.resolution().orElseThrow().path("comment").asText())
                .isEqualTo("default action of rule quotes");
        Eventually.await(() -> kernel.run(run), r -> r.status() == RunStatus.COMPLETED);
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void anAnsweredTaskEscalatesNoMore() {
        policy.judge =
                (facts, output) -> new Verdict(Verdict.Decision.APPROVE, "gate review", "reviewed", JSON.objectNode());
        policy.escalateAfter = Optional.of(Duration.ofHours(1));
        var escalated = new CopyOnWriteArrayList<String>();
        policy.escalate = task -> {
            escalated.add(task.id());
            return new Escalation("remind", "reminded", JSON.objectNode(), Optional.empty(), Optional.empty());
        };
        var run = lead("acme", 200);
        var task = openTask(run);

        kernel.approve(task.id(), Optional.empty(), "");
        Eventually.await(() -> kernel.run(run), r -> r.status() == RunStatus.COMPLETED);
        clock.advance(Duration.ofHours(2));
        kernel.wake();
        var other = lead("other", 200); // a run that goes through the dispatcher after the clock moved

        Eventually.await(() -> kernel.run(other), r -> !r.tasks().isEmpty());
        assertThat(escalated).isEmpty();
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void aFallbackThatNamesNoAgentRefusesThePlaybook() throws Exception {
        Files.writeString(
                dir.resolve("playbooks/quoting.yaml"),
                PLAYBOOK.replace("fallback: quote-template", "fallback: quote-tempalte"));

        var report = kernel.reloadPlaybooks();

        assertThat(report.refused())
                .singleElement()
                .asString()
                .contains("quote-tempalte")
                .contains("quoting.yaml:7");
    }
}
