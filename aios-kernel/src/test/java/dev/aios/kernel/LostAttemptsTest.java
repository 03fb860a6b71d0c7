package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attempt limit against steps that never finish: a step that the write recording the step
 * before handed over to its worker, and whose worker was lost before it finished, is not held
 * against the step; a step that is lost every time it runs still reaches the limit. A worker is lost
 * here by hanging past its lease (the clock moves on), which takes the same way back as a process
 * killed and restarted: the lease runs out or is released, and the dispatcher leases the step again.
 */
class LostAttemptsTest {
    record Leg(String step) {}

    /**
     * Passes its input on; hangs (until the test ends) as it is told, counting its runs by step and
     * saying whether the attempt begun last is one that hangs.
     */
    static final class Relay implements Agent<Leg, Leg> {
        final Set<String> hangOnce;
        final Set<String> hangAlways;
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        final CountDownLatch released = new CountDownLatch(1);
        final AtomicInteger begun = new AtomicInteger();
        volatile int lastBegun;
        volatile int hanging;

        Relay(Set<String> hangOnce, Set<String> hangAlways) {
            this.hangOnce = hangOnce;
            this.hangAlways = hangAlways;
        }

        @Override
        public Contract<Leg, Leg> contract() {
            return Contract.of("relay", "1.0.0", Leg.class, Leg.class).withTimeout(Duration.ofMinutes(10));
        }

        @Override
        public Leg run(Leg input, AgentContext ctx) throws Exception {
            int attempt = begun.incrementAndGet();
            lastBegun = attempt;
            int run =
                    runs.computeIfAbsent(input.step(), s -> new AtomicInteger()).incrementAndGet();
            if (hangAlways.contains(input.step()) || (hangOnce.contains(input.step()) && run == 1)) {
                hanging = attempt;
                released.await();
                throw new IllegalStateException("a lost worker came back after the test");
            }
            return input;
        }

        /** The attempt begun last, when it is one that hangs; 0 otherwise. */
        int hangingNow() {
            int attempt = hanging;
            return attempt == lastBegun ? attempt : 0;
        }

        int runs(String step) {
            var count = runs.get(step);
            return count == null ? 0 : count.get();
        }
    }

    /** Four steps in a row, each allowed one attempt. */
    static final String RELAY = """
            name: relay
            trigger: relay.requested
            defaults:
              retry: { attempts: 1 }
            steps:
              - id: a
                agent: relay
                input: { step: "'a'" }
              - id: b
                agent: relay
                input: { step: "'b'" }
              - id: c
                agent: relay
                input: { step: "'c'" }
              - id: d
                agent: relay
                input: { step: "'d'" }
            """;

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    Relay relay;
    Kernel kernel;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.released.countDown();
        }
        if (kernel != null) {
            kernel.close();
        }
    }

    @Test
    void stepsHandedOverAndLostBeforeFinishingMoreOftenThanTheLimitAllowsStillComplete() throws Exception {
        String run = start(new Relay(Set.of("b", "c", "d"), Set.of()));

        var done = until(run, r -> r.status() != RunStatus.RUNNING);

        assertThat(done.status()).as(done.error().orElse("")).isEqualTo(RunStatus.COMPLETED);
        for (var step : new String[] {"b", "c", "d"}) {
            var view = step(done, step);
            assertThat(view.attempts())
                    .extracting(StepView.AttemptView::outcome)
                    .as("attempts of " + step)
                    .containsExactly(AttemptOutcome.ABANDONED, AttemptOutcome.COMPLETED);
            assertThat(relay.runs(step)).as("runs of " + step).isEqualTo(2);
        }
        assertThat(relay.runs("a")).isEqualTo(1);
    }

    @Test
    void aStepLostEveryTimeItRunsStillReachesTheLimitAndWaitsForTheOperator() throws Exception {
        String run = start(new Relay(Set.of(), Set.of("b")));

        var parked = until(run, r -> r.status() != RunStatus.RUNNING);

        assertThat(parked.status()).isEqualTo(RunStatus.NEEDS_ATTENTION);
        assertThat(parked.tasks()).singleElement().satisfies(task -> {
            assertThat(task.stepId()).isEqualTo("b");
            assertThat(task.explanation()).contains("started 2 times and no attempt finished");
        });
        // The first attempt was handed over by a's write, the second leased by the dispatcher; the
        // third is not begun.
        assertThat(relay.runs("b")).isEqualTo(2);
        assertThat(relay.runs("c")).isZero();
    }

    private String start(Relay agent) {
        relay = agent;
        kernel = TestKernels.open(TestKernels.withPlaybook(dir, "relay", RELAY)
                .clock(clock)
                .agent(agent)
                .pollInterval(Duration.ofMillis(10)));
        kernel.start();
        return TestKernels.start(kernel, "relay.requested", "acme", clock.instant());
    }

    /**
     * Polls the run, moving the clock past a hanging worker's lease (10.5 minutes) once for each
     * attempt that hangs, and only while it is the attempt begun last: a clock moved on while an
     * attempt that finishes is still on its way (a slow machine) would make that one lost too.
     */
    private RunView until(String runId, Predicate<RunView> done) {
        var movedFor = new AtomicInteger();
        return TestKernels.awaitRun(
                kernel,
                runId,
                done,
                () -> {
                    int hanging = relay.hangingNow();
                    if (hanging != 0 && movedFor.getAndSet(hanging) != hanging) {
                        clock.advance(Duration.ofMinutes(12));
                    }
                    kernel.wake();
                },
                Duration.ofSeconds(60));
    }

    private static StepView step(RunView run, String id) {
        return run.steps().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }
}
