package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.api.PermanentFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parallel branches and forEach through the public API: branches and items run at the same time,
 * their outputs come together where the playbook says, failures follow the failing step's
 * onFailure, and whatever is cancelled or undone is compensated newest first.
 */
class TaskGraphTest {
    record Job(String name) {}

    record Done(String name, String by) {}

    /** Every call and every undo, in order. */
    static final List<String> LOG = new CopyOnWriteArrayList<>();

    static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger MOST_AT_ONCE = new AtomicInteger();

    /**
     * Does a job. A job named {@code wait-for:X} waits until job X has started; {@code fail} fails
     * for good; anything else is done at once.
     */
    static final class Work implements Agent<Job, Done> {
        @Override
        public Contract<Job, Done> contract() {
            return Contract.of("work", "1.0.0", Job.class, Done.class);
        }

        @Override
        public Done run(Job input, AgentContext ctx) throws Exception {
            int now = RUNNING.incrementAndGet();
            MOST_AT_ONCE.accumulateAndGet(now, Math::max);
            try {
                LOG.add("work " + input.name());
                GATES.computeIfAbsent(input.name(), n -> new CountDownLatch(1)).countDown();
                if (input.name().startsWith("wait-for:")) {
                    var other = GATES.computeIfAbsent(input.name().substring(9), n -> new CountDownLatch(1));
                    if (!other.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException(input.name() + " never saw its partner start");
                    }
                }
                if (input.name().startsWith("slow")) {
                    Thread.sleep(30);
                }
                if (input.name().equals("fail")) {
                    throw new PermanentFailure("job 'fail' cannot be done");
                }
                return new Done(input.name(), ctx.stepId());
            } finally {
                RUNNING.decrementAndGet();
            }
        }
    }

    static final class Undo implements Agent<Done, Done> {
        @Override
        public Contract<Done, Done> contract() {
            return Contract.of("undo", "1.0.0", Done.class, Done.class);
        }

        @Override
        public Done run(Done input, AgentContext ctx) {
            LOG.add("undo " + input.name());
            return input;
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Kernel kernel;

    @BeforeEach
    void start() throws Exception {
        LOG.clear();
        GATES.clear();
        MOST_AT_ONCE.set(0);
        Files.createDirectories(dir.resolve("playbooks"));
    }

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
    }

    void open(String yaml) throws Exception {
        Files.writeString(dir.resolve("playbooks/p.yaml"), yaml);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .agent(new Work())
                .agent(new Undo())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        assertThat(kernel.lastLoad().refused()).isEmpty();
    }

    String start(String data) throws Exception {
        var accepted = kernel.send(new Event(
                UUID.randomUUID().toString(),
                "job.received",
                "acme",
                "test",
                java.time.Instant.now(),
                JSON.readTree(data),
                "",
                ""));
        return accepted.started().getFirst();
    }

    RunView await(String runId, RunStatus status) {
        return Eventually.await(() -> kernel.run(runId), r -> r.status() == status);
    }

    void journalsVerify(String runId) {
        assertThat(kernel.verify().problems()).isEmpty();
        assertThat(kernel.replay(runId, true).divergences()).isEmpty();
    }

    @Test
    void branchesRunAtTheSameTimeAndTheirOutputsAreKeptByBranch() throws Exception {
        open("""
                name: intake
                trigger: job.received
                steps:
                  - id: gather
                    parallel:
                      lead:
                        - id: research
                          agent: work
                          input: { name: "'wait-for:slots'" }
                        - id: summary
                          agent: work
                          input: { name: "'summary of ' + steps.research.name" }
                      calendar:
                        - id: slots
                          agent: work
                          input: { name: "'slots'" }
                  - id: report
                    agent: work
                    input: { name: "steps.gather.lead.summary.name + ' and ' + steps.gather.calendar.slots.name" }
                """);
        var runId = start("{}");

        var run = await(runId, RunStatus.COMPLETED);

        assertThat(run.context().path("report").path("name").asText())
                .as("a branch's steps see its earlier steps; later steps see every branch's outputs")
                .isEqualTo("summary of wait-for:slots and slots");
        assertThat(run.steps())
                .extracting(StepView::id)
                .contains("gather", "gather/lead/research", "gather/lead/summary", "gather/calendar/slots", "report");
        assertThat(run.steps().stream()
                        .filter(s -> s.id().equals("gather/lead/research"))
                        .findFirst()
                        .orElseThrow()
                        .output()
                        .path("by")
                        .asText())
                .isEqualTo("gather/lead/research");
        journalsVerify(runId);
    }

    @Test
    void aJoinOnAnyCancelsTheOtherBranchAndUndoesWhatItCompletedNewestFirst() throws Exception {
        open("""
                name: race
                trigger: job.received
                steps:
                  - id: race
                    parallel:
                      slow:
                        - id: book
                          agent: work
                          input: { name: "'book'" }
                          compensate: { agent: undo, input: { name: steps.book.name, by: steps.book.by } }
                        - id: hold
                          agent: work
                          input: { name: "'hold'" }
                          compensate: { agent: undo, input: { name: steps.hold.name, by: steps.hold.by } }
                        - id: marker
                          agent: work
                          input: { name: "'marker'" }
                        - id: later
                          wait: 1h
                        - id: never
                          agent: work
                          input: { name: "'never'" }
                      fast:
                        - id: quick
                          agent: work
                          input: { name: "'wait-for:marker'" }
                    join: any
                  - id: after
                    agent: work
                    input: { name: "'after ' + steps.race.fast.quick.name" }
                """);
        var runId = start("{}");

        var run = await(runId, RunStatus.COMPLETED);

        assertThat(LOG).containsSubsequence("undo hold", "undo book", "work after wait-for:marker");
        assertThat(LOG).doesNotContain("work never");
        assertThat(run.context().path("race").has("slow"))
                .as("a cancelled branch has no outputs")
                .isFalse();
        var slow = run.steps().stream()
                .filter(s -> s.id().startsWith("race/slow/"))
                .collect(java.util.stream.Collectors.toMap(StepView::id, StepView::status));
        assertThat(slow)
                .containsEntry("race/slow/book", StepStatus.COMPENSATED)
                .containsEntry("race/slow/hold", StepStatus.COMPENSATED);
        assertThat(slow.values())
                .as("whatever of the cancelled branch was in flight is cancelled")
                .allMatch(status -> List.of(StepStatus.COMPENSATED, StepStatus.COMPLETED, StepStatus.CANCELLED)
                        .contains(status));
        journalsVerify(runId);
    }

    @Test
    void aForEachRunsItsItemsSeveralAtATimeAndCollectsThemInOrder() throws Exception {
        open("""
                name: each
                trigger: job.received
                steps:
                  - id: items
                    forEach: event.data.names
                    as: job
                    concurrency: 5
                    collect: "steps.first.name + '/' + steps.second.by"
                    steps:
                      - id: first
                        agent: work
                        input: { name: "'slow ' + job" }
                      - id: second
                        agent: work
                        input: { name: job }
                  - id: count
                    agent: work
                    input: { name: "string(steps.items.size())" }
                """);
        var names = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            names.append(i == 0 ? "" : ",").append("\"n").append(i).append('"');
        }
        var runId = start("{\"names\": [" + names + "]}");

        var run = await(runId, RunStatus.COMPLETED);

        var collected = run.context().path("items");
        assertThat(collected).hasSize(40);
        assertThat(collected.get(0).asText()).isEqualTo("slow n0/items[0]/second");
        assertThat(collected.get(39).asText()).isEqualTo("slow n39/items[39]/second");
        assertThat(run.context().path("count").path("name").asText()).isEqualTo("40");
        assertThat(MOST_AT_ONCE.get()).as("at most 5 items at once").isBetween(2, 5);
        assertThat(run.steps())
                .as("finished iterations leave the run's state; the journal keeps them")
                .extracting(StepView::id)
                .containsExactly("items", "count");
        assertThat(kernel.journal(runId).stream().filter(e -> e.type().equals("StepCompleted")))
                .hasSize(40 * 2 + 2);
        journalsVerify(runId);
    }

    @Test
    void aFailedItemWaitsForTheOperatorWhileTheOthersGoOn() throws Exception {
        open("""
                name: each
                trigger: job.received
                steps:
                  - id: items
                    forEach: event.data.names
                    concurrency: 2
                    collect: steps.do.name
                    steps:
                      - id: do
                        agent: work
                        input: { name: item }
                """);
        var runId = start("{\"names\": [\"a\", \"fail\", \"b\", \"c\"]}");

        var parked = await(runId, RunStatus.NEEDS_ATTENTION);
        Eventually.await(() -> LOG, log -> log.containsAll(List.of("work a", "work b", "work c")));
        var task = kernel.tasks(false).stream()
                .filter(t -> t.runId().equals(runId))
                .findFirst()
                .orElseThrow();
        assertThat(task.stepId()).isEqualTo("items[1]/do");
        assertThat(parked.status()).isEqualTo(RunStatus.NEEDS_ATTENTION);

        kernel.skip(task.id(), Optional.of(JSON.readTree("{\"name\": \"skipped\", \"by\": \"operator\"}")), "");

        var run = await(runId, RunStatus.COMPLETED);
        assertThat(run.context().path("items")).extracting(JsonNode::asText).containsExactly("a", "skipped", "b", "c");
        journalsVerify(runId);
    }

    @Test
    void cancellingARunUndoesEveryCompletedIterationNewestFirst() throws Exception {
        open("""
                name: each
                trigger: job.received
                steps:
                  - id: items
                    forEach: event.data.names
                    concurrency: 1
                    steps:
                      - id: do
                        agent: work
                        input: { name: item }
                        compensate: { agent: undo, input: { name: steps.do.name, by: steps.do.by } }
                      - id: pause
                        wait: 1h
                """);
        var runId = start("{\"names\": [\"a\", \"b\", \"c\"]}");
        await(runId, RunStatus.WAITING);
        assertThat(LOG).containsExactly("work a");

        kernel.cancel(runId, "changed my mind");

        var run = await(runId, RunStatus.COMPENSATED);
        assertThat(LOG).containsExactly("work a", "undo a");
        assertThat(run.steps()).extracting(StepView::id).contains("items[0]/do");
        journalsVerify(runId);
    }

    @Test
    void aFailedItemWhoseStepSaysCompensateUndoesTheRun() throws Exception {
        open("""
                name: each
                trigger: job.received
                steps:
                  - id: items
                    forEach: event.data.names
                    concurrency: 1
                    steps:
                      - id: do
                        agent: work
                        input: { name: item }
                        onFailure: compensate
                        compensate: { agent: undo, input: { name: steps.do.name, by: steps.do.by } }
                """);
        var runId = start("{\"names\": [\"a\", \"b\", \"fail\", \"c\"]}");

        await(runId, RunStatus.COMPENSATED);

        assertThat(LOG).containsExactly("work a", "work b", "work fail", "undo b", "undo a");
        assertThat(Set.copyOf(LOG)).doesNotContain("work c");
        journalsVerify(runId);
    }
}
