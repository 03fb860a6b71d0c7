package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a run's first step is begun: by the write that logged the event starting the run when a
 * worker is free, else by the write of a worker that just finished a run, and in both cases the
 * journal says that the attempt was handed over (so that a worker lost before it began the step does
 * not count against the step's attempts), and the journal still verifies.
 */
class FirstStepHandOverTest {
    record Leg(String step) {}

    /** Passes its input on; holds step {@code a} of the first run it sees until told to go on. */
    static final class Relay implements Agent<Leg, Leg> {
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch goOn = new CountDownLatch(1);
        volatile boolean hold;

        @Override
        public Contract<Leg, Leg> contract() {
            return Contract.of("relay", "1.0.0", Leg.class, Leg.class).withTimeout(Duration.ofMinutes(1));
        }

        @Override
        public Leg run(Leg input, AgentContext ctx) throws Exception {
            if (hold && input.step().equals("a")) {
                hold = false;
                holding.countDown();
                if (!goOn.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never let the step go on");
                }
            }
            return input;
        }
    }

    static final String RELAY = """
            name: relay
            trigger: relay.requested
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
            """;

    @TempDir
    Path dir;

    final Relay relay = new Relay();
    Kernel kernel;

    @AfterEach
    void stop() {
        relay.goOn.countDown();
        if (kernel != null) {
            kernel.close();
        }
    }

    @Test
    void aRunStartedWhileAWorkerIsFreeBeginsItsFirstStepInTheWriteThatLoggedItsEvent() throws Exception {
        open(4);

        String run = send();

        assertThat(kernel.awaitEnd(run, Duration.ofSeconds(30)).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(starts(run)).containsExactly("a handed over", "b handed over", "c handed over");
        // Each step scheduled and begun in one entry: two entries a step, not three.
        assertThat(kernel.journal(run).stream().map(r -> r.type()))
                .containsExactly(
                        "RunStarted",
                        "StepScheduled",
                        "StepCompleted",
                        "StepScheduled",
                        "StepCompleted",
                        "StepScheduled",
                        "StepCompleted",
                        "RunCompleted");
        assertThat(kernel.run(run).steps())
                .allSatisfy(s -> assertThat(s.attempts()).singleElement());
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void aWorkerThatFinishesARunGoesOnWithARunWaitingForItsFirstStep() throws Exception {
        open(1);
        relay.hold = true;
        String first = send();
        assertThat(relay.holding.await(30, TimeUnit.SECONDS)).isTrue();

        // The only worker is busy: the second run waits for it.
        String second = send();
        assertThat(kernel.run(second).steps())
                .allSatisfy(s -> assertThat(s.attempts()).isEmpty());
        relay.goOn.countDown();

        assertThat(kernel.awaitEnd(first, Duration.ofSeconds(30)).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(kernel.awaitEnd(second, Duration.ofSeconds(30)).status()).isEqualTo(RunStatus.COMPLETED);
        // The write that recorded the first run's last step took the second run's first step.
        assertThat(starts(second)).containsExactly("a handed over", "b handed over", "c handed over");
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void aRunStartedBeforeTheKernelStartsIsLeasedByTheDispatcherOnceItDoes() throws Exception {
        open(4, false);
        String run = send();
        kernel.start();

        assertThat(kernel.awaitEnd(run, Duration.ofSeconds(30)).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(starts(run)).containsExactly("a", "b handed over", "c handed over");
    }

    private void open(int concurrency) {
        open(concurrency, true);
    }

    private void open(int concurrency, boolean start) {
        kernel = TestKernels.open(
                TestKernels.withPlaybook(dir, "relay", RELAY).agent(relay).concurrency(concurrency));
        if (start) {
            kernel.start();
        }
    }

    private String send() {
        return TestKernels.start(kernel, "relay.requested", "acme", java.time.Instant.now());
    }

    /**
     * The run's step starts in journal order: the step, and whether it was handed over (begun by
     * the write that scheduled it, in the same entry, or by a start of its own saying so).
     */
    private List<String> starts(String runId) {
        return kernel.journal(runId).stream()
                .<String>mapMulti((r, starts) -> {
                    String step = r.data().path("step").asText();
                    if (r.type().equals("StepStarted")) {
                        starts.accept(step + (r.data().path("handedOver").asBoolean() ? " handed over" : ""));
                    } else if (r.type().equals("StepScheduled") && r.data().has("handedTo")) {
                        starts.accept(step + " handed over");
                    }
                })
                .toList();
    }
}
