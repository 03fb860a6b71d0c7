package dev.aios.kernel.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunView;
import dev.aios.kernel.StepStatus;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TestClock;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's behaviour on a store: the same runs, answers, duplicates, restarts and verification
 * whichever store holds them. Run once per store by a subclass that says where the kernel keeps its
 * tables.
 */
public abstract class KernelOnStoreContract {
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

    /** Counts its calls by subject: a step executed twice shows here. */
    static final class Counter implements Agent<Lead, Lead> {
        static final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> CALLS =
                new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public Contract<Lead, Lead> contract() {
            return Contract.of("count", "1.0.0", Lead.class, Lead.class);
        }

        @Override
        public Lead run(Lead input, AgentContext context) {
            CALLS.computeIfAbsent(input.company(), k -> new java.util.concurrent.atomic.AtomicInteger())
                    .incrementAndGet();
            return input;
        }
    }

    /** Holds its step until the test opens the gate, so that a run stops half-way while running. */
    static final class Gate implements Agent<Lead, Lead> {
        static volatile java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(0);

        @Override
        public Contract<Lead, Lead> contract() {
            return Contract.of("gate", "1.0.0", Lead.class, Lead.class);
        }

        @Override
        public Lead run(Lead input, AgentContext context) {
            try {
                open.await(2, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return input;
        }
    }

    static final String COUNTING = """
            name: counting
            trigger:
              event: ping
            steps:
              - id: count
                agent: count
                input:
                  company: event.subject
                  budget: 1
              - id: done
                emit:
                  type: pinged
                next: end
            """;

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
                  onTimeout: end
                next: announce
              - id: announce
                emit:
                  type: project.delivered
                  data:
                    score: steps.score.score
                next: end
            """;

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    Kernel kernel;
    private Optional<String> database;

    /** A fresh database for the kernel's tables, or empty for the data directory's own store. */
    protected abstract Optional<String> newDatabase();

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/onboarding.yaml"), PLAYBOOK);
        database = newDatabase();
        kernel = open();
    }

    Kernel open() {
        return open(Duration.ofMillis(20));
    }

    Kernel open(Duration poll) {
        return open(poll, 64);
    }

    Kernel open(Duration poll, int concurrency) {
        var builder = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .agent(new Scorer())
                .agent(new Counter())
                .agent(new Gate())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(poll)
                .concurrency(concurrency);
        database.ifPresent(builder::database);
        var k = builder.build();
        k.start();
        return k;
    }

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
    }

    dev.aios.kernel.Accepted send(String type, String subject, String data) {
        return kernel.send(new Event(
                UUID.randomUUID().toString(), type, subject, "test", clock.instant(), Json.tree(data), "", ""));
    }

    RunView awaitStatus(String runId, RunStatus status) {
        return Eventually.await(() -> kernel.run(runId), r -> r.status() == status);
    }

    @Test
    void aRunGoesThroughAgentWaitAwaitAndEmitAndVerifies() {
        String runId =
                send("lead.received", "acme", "{\"budget\": 9000}").started().getFirst();
        var waiting = awaitStatus(runId, RunStatus.WAITING);
        assertThat(waiting.context().path("score").path("score").asInt()).isEqualTo(90);

        clock.advance(Duration.ofHours(49));
        kernel.wake();
        Eventually.await(() -> kernel.run(runId), r -> r.steps().stream()
                .anyMatch(s -> s.id().equals("deliver") && s.status().equals(StepStatus.WAITING)));
        assertThat(send("delivery.accepted", "acme", "{}").resumed()).containsExactly(runId);
        var done = awaitStatus(runId, RunStatus.COMPLETED);
        assertThat(done.context().path("announce").path("eventId").asText()).startsWith("e-");

        assertThat(kernel.verify().problems()).isEmpty();
        assertThat(kernel.verifyChain(runId).problems()).isEmpty();
    }

    @Test
    void theOperatorAnswersAReviewAndTheAuditLogNamesWhoDid() {
        String runId =
                send("lead.received", "tiny", "{\"budget\": 1000}").started().getFirst();
        var task =
                Eventually.await(() -> kernel.tasks(false), t -> !t.isEmpty()).getFirst();
        assertThat(task.kind()).isEqualTo(TaskKind.REVIEW);

        JsonNode edited = Json.tree("{\"score\": 70, \"confidence\": 1.0}");
        dev.aios.kernel.Actor.begin("alice");
        try {
            kernel.approve(task.id(), Optional.of(edited), "fine");
        } finally {
            dev.aios.kernel.Actor.end();
        }
        var run = Eventually.await(() -> kernel.run(runId), r -> r.steps().size() >= 2);
        assertThat(run.context().path("score").path("score").asInt()).isEqualTo(70);
        var audit = kernel.audit().since(java.time.Instant.EPOCH, 100);
        assertThat(audit).anySatisfy(entry -> {
            assertThat(entry.actor()).isEqualTo("alice");
            assertThat(entry.action()).isEqualTo("task.approve");
        });
        assertThat(kernel.audit().verify()).isEmpty();
    }

    @Test
    void aKernelsOwnCommitsWakeItsDispatcherWithoutWaitingForThePoll() throws Exception {
        kernel.close();
        // Polling only once an hour: every step below runs because the commit before it woke the dispatcher.
        kernel = open(Duration.ofHours(1));
        var steps = new StringBuilder("name: relay\ntrigger:\n  event: relay\nsteps:\n");
        for (int i = 1; i <= 5; i++) {
            steps.append("  - id: s")
                    .append(i)
                    .append("\n    agent: count\n    input:\n")
                    .append("      company: event.subject\n      budget: 1\n");
        }
        Files.writeString(dir.resolve("playbooks/relay.yaml"), steps + "    next: end\n");
        kernel.reloadPlaybooks();
        for (int run = 0; run < 3; run++) {
            String subject = "relay-" + UUID.randomUUID();
            String runId = send("relay", subject, "{}").started().getFirst();
            // Generous for a loaded machine, and still far below the poll interval.
            Eventually.await(() -> kernel.run(runId), r -> r.status() == RunStatus.COMPLETED, Duration.ofMinutes(2));
            assertThat(Counter.CALLS.get(subject)).as("calls of run " + run).hasValue(5);
        }
    }

    @Test
    void runsHalfWayWhoseStoredStatesAreBehindTheirJournalsVerifyAndAreForgottenOrGoOn() throws Exception {
        var steps = new StringBuilder("name: gated\ntrigger:\n  event: gated\nsteps:\n");
        for (String step : java.util.List.of("s1", "s2", "s3", "s4", "hold", "s5")) {
            steps.append("  - id: ")
                    .append(step)
                    .append("\n    agent: ")
                    .append(step.equals("hold") ? "gate" : "count")
                    .append("\n    input:\n      company: event.subject\n      budget: 1\n");
        }
        Files.writeString(dir.resolve("playbooks/gated.yaml"), steps + "    next: end\n");
        kernel.reloadPlaybooks();
        Gate.open = new java.util.concurrent.CountDownLatch(1);
        // Subjects of this test alone: the counter counts across tests.
        String forget = "gated-forgotten-" + UUID.randomUUID();
        String goOn = "gated-goes-on-" + UUID.randomUUID();
        try {
            String forgotten = send("gated", forget, "{}").started().getFirst();
            String goesOn = send("gated", goOn, "{}").started().getFirst();
            for (String runId : java.util.List.of(forgotten, goesOn)) {
                var held = Eventually.await(
                        () -> kernel.run(runId),
                        r -> r.steps().stream().anyMatch(s -> s.id().equals("hold")),
                        Duration.ofMinutes(1));
                assertThat(held.status()).isEqualTo(RunStatus.RUNNING);
                assertThat(held.context().path("s4").path("company").asText()).startsWith("gated-");
                var row = storedRow(runId);
                assertThat(row[0])
                        .as("the stored JSON of a run half-way is behind its last entry " + row[1])
                        .isLessThan(row[1]);
                assertThat(kernel.replay(runId, true).divergences()).isEmpty();
            }
            assertThat(kernel.verify().problems()).as("verified half-way").isEmpty();

            kernel.forget(forget);
            assertThat(kernel.run(forgotten).status()).isEqualTo(RunStatus.CANCELLED);
            var row = storedRow(forgotten);
            assertThat(row[0]).as("a forgotten run is stored whole").isEqualTo(row[1]);
            assertThat(kernel.verify().problems())
                    .as("verified after the forget")
                    .isEmpty();
        } finally {
            Gate.open.countDown();
        }
        String goesOn = kernel.runs(RunQuery.all().withPlaybook("gated")).stream()
                .filter(r -> r.subject().equals(goOn))
                .findFirst()
                .orElseThrow()
                .id();
        var done = awaitStatus(goesOn, RunStatus.COMPLETED);
        assertThat(done.context().path("s5").path("company").asText()).isEqualTo(goOn);
        assertThat(Counter.CALLS.get(goOn)).hasValue(5);
        assertThat(kernel.verify().problems()).as("verified at the end").isEmpty();
        var ended = storedRow(goesOn);
        assertThat(ended[0])
                .as("the stored JSON of a completed run is behind its last entry " + ended[1])
                .isLessThan(ended[1]);

        // Opened again, so that no state is kept in memory: the run is read and forgotten from its row.
        kernel.close();
        kernel = open();
        var reread = kernel.run(goesOn);
        assertThat(reread.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(reread.context().path("s5").path("company").asText()).isEqualTo(goOn);
        var report = kernel.forget(goOn);
        assertThat(report.runsScrubbed()).isEqualTo(1);
        var scrubbed = kernel.run(goesOn);
        assertThat(scrubbed.subject()).isEqualTo(report.pseudonym());
        assertThat(scrubbed.context().toString()).doesNotContain(goOn);
        var row = storedRow(goesOn);
        assertThat(row[0]).as("a forgotten run is stored whole").isEqualTo(row[1]);
        assertThat(kernel.verify().problems())
                .as("verified after forgetting the completed run")
                .isEmpty();
    }

    /** The seq of the run's stored JSON state and of its last entry, as its row in the database holds them. */
    private long[] storedRow(String runId) throws Exception {
        String url = database.orElse("jdbc:sqlite:" + dir.resolve("data").resolve(SqliteStore.FILE));
        try (var connection = java.sql.DriverManager.getConnection(url);
                var statement = connection.prepareStatement("SELECT state, last_seq FROM runs WHERE id = ?")) {
            statement.setString(1, runId);
            try (var rows = statement.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return new long[] {
                    Json.tree(rows.getString("state")).path("seq").asLong(), rows.getLong("last_seq")
                };
            }
        }
    }

    @Test
    void anEventSentTwiceStartsOneRun() {
        var event = new Event(
                "lead-1", "lead.received", "acme", "test", clock.instant(), Json.tree("{\"budget\": 9000}"), "", "");
        assertThat(kernel.send(event).started()).hasSize(1);
        var again = kernel.send(event);
        assertThat(again.duplicate()).isTrue();
        assertThat(again.started()).isEmpty();
        assertThat(kernel.runs(RunQuery.all())).hasSize(1);
    }

    @Test
    void anEventOfAForgottenSubjectSentAgainStartsNothingBeforeOrAfterTheSubjectIsSeenAgain() {
        String subject = "forgotten-" + UUID.randomUUID();
        var event = new Event(
                "lead-" + subject,
                "lead.received",
                subject,
                "test",
                clock.instant(),
                Json.tree("{\"budget\": 9000}"),
                "",
                "");
        assertThat(kernel.send(event).started()).hasSize(1);
        kernel.forget(subject);

        var resent = kernel.send(event);
        assertThat(resent.duplicate()).as("sent again right after the forget").isTrue();
        assertThat(resent.started()).isEmpty();

        // A new event about the subject gives it a new key, kept in memory: the check then rides
        // with the insert on a store that can send both as one statement.
        assertThat(send("lead.received", subject, "{\"budget\": 9000}").started())
                .hasSize(1);
        var later = kernel.send(event);
        assertThat(later.duplicate())
                .as("sent again once the subject was seen again")
                .isTrue();
        assertThat(later.started()).isEmpty();
        assertThat(kernel.runs(RunQuery.all())).hasSize(2);
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void aKernelOpenedAgainOnTheStoreGoesOnWhereItStopped() {
        String runId =
                send("lead.received", "acme", "{\"budget\": 9000}").started().getFirst();
        awaitStatus(runId, RunStatus.WAITING);
        kernel.close();
        kernel = null;

        clock.advance(Duration.ofHours(49));
        kernel = open();
        Eventually.await(() -> kernel.run(runId), r -> r.steps().stream()
                .anyMatch(s -> s.id().equals("deliver") && s.status().equals(StepStatus.WAITING)));
        send("delivery.accepted", "acme", "{}");
        awaitStatus(runId, RunStatus.COMPLETED);
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void timersThatCameDueWhileTheKernelWasDownFireOnceEachAndShareTheirWrites() throws Exception {
        Files.writeString(dir.resolve("playbooks/nap.yaml"), """
                name: nap
                trigger:
                  event: nap
                steps:
                  - id: sleep
                    wait:
                      for: 1h
                  - id: count
                    agent: count
                    input:
                      company: event.subject
                      budget: 1
                    next: end
                """);
        kernel.reloadPlaybooks();
        int runs = 100;
        String prefix = "nap-" + UUID.randomUUID() + "-";
        for (int i = 0; i < runs; i++) {
            send("nap", prefix + i, "{}");
        }
        Eventually.await(
                () -> kernel.runs(RunQuery.all().withStatus(RunStatus.WAITING).withLimit(runs)),
                waiting -> waiting.size() == runs,
                Duration.ofMinutes(5));
        kernel.close();
        kernel = null;

        clock.advance(Duration.ofHours(2));
        // Fewer workers than timers due: most runs move on after the first page is taken.
        kernel = open(Duration.ofMillis(20), 8);
        Eventually.await(
                () -> kernel.runs(RunQuery.all().withStatus(RunStatus.COMPLETED).withLimit(runs)),
                done -> done.size() == runs,
                Duration.ofMinutes(5));
        for (int i = 0; i < runs; i++) {
            assertThat(Counter.CALLS.get(prefix + i))
                    .as("calls after the timer of run " + i)
                    .hasValue(1);
        }
        // Each run's step after its timer is one write unit, and the timer of the next run fires in
        // it (the first page of timers in the dispatcher's unit): not a unit of their own each (two
        // units a run), nor pages of as many timers as places came free (1.6 a run here before).
        assertThat(kernel.overview().writeUnits()).isLessThan(runs * 5L / 4);
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void theKernelSaysItIsAliveAndWhatItHolds() {
        var nodes = kernel.nodes();
        assertThat(nodes).hasSize(1);
        assertThat(nodes.getFirst().name()).startsWith("node-");
        assertThat(nodes.getFirst().holding()).isZero();
    }
}
