package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a run alone costs the single writer: one write unit for the event that starts it (which also
 * begins its first step) and one per step (which also begins the next), and nothing while the
 * kernel then sits idle, however often its dispatcher looks for work.
 */
class WritesOfARunAloneTest {
    record Leg(String step) {}

    /** Passes its input on. */
    static final class Relay implements Agent<Leg, Leg> {
        @Override
        public Contract<Leg, Leg> contract() {
            return Contract.of("relay", "1.0.0", Leg.class, Leg.class).withTimeout(Duration.ofMinutes(1));
        }

        @Override
        public Leg run(Leg input, AgentContext ctx) {
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

    Kernel kernel;

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
    }

    @Test
    void aRunAloneIsOneWriteForItsEventAndOnePerStepAndTheIdleDispatcherWritesNothing() throws Exception {
        // The dispatcher polls every 20 ms (TestKernels) and is woken when the run ends.
        kernel = TestKernels.open(
                TestKernels.withPlaybook(dir, "relay", RELAY).agent(new Relay()).concurrency(4));
        kernel.start();
        // Start-up's own writes (node record, playbooks, released leases) are done once a run went through.
        String warmUp = TestKernels.start(kernel, "relay.requested", "acme", java.time.Instant.now());
        assertThat(kernel.awaitEnd(warmUp, Duration.ofSeconds(30)).status()).isEqualTo(RunStatus.COMPLETED);
        long before = kernel.overview().writeUnits();

        String run = TestKernels.start(kernel, "relay.requested", "acme", java.time.Instant.now());
        assertThat(kernel.awaitEnd(run, Duration.ofSeconds(30)).status()).isEqualTo(RunStatus.COMPLETED);
        // Some fifty looks of an idle dispatcher.
        Thread.sleep(1_000);

        long units = kernel.overview().writeUnits() - before;
        // The event and three steps; at most one more, the node's heartbeat (every 5 s).
        assertThat(units).isBetween(4L, 5L);
        assertThat(kernel.verify().problems()).isEmpty();
    }
}
