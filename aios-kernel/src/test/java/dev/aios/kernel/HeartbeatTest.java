package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A long step keeps its lease while it heartbeats; when its heartbeat stops, it runs again. */
class HeartbeatTest {
    record Job(String name) {}

    record Done(String by) {}

    /** The first attempt works (heartbeating) for 1.5 s, then hangs; later attempts finish at once. */
    static final class LongJob implements Agent<Job, Done> {
        final AtomicInteger attempts = new AtomicInteger();

        @Override
        public Contract<Job, Done> contract() {
            return Contract.of("long-job", "1.0.0", Job.class, Done.class).withTimeout(Duration.ofMinutes(5));
        }

        @Override
        public Done run(Job input, AgentContext ctx) throws Exception {
            if (attempts.incrementAndGet() == 1) {
                long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
                while (System.nanoTime() < until) {
                    ctx.heartbeat();
                    Thread.sleep(50);
                }
                Thread.sleep(60_000); // stuck, and no longer heartbeating
            }
            return new Done("attempt " + ctx.attempt());
        }
    }

    @TempDir
    Path dir;

    @Test
    void aStepWhoseHeartbeatStopsRunsAgainAndTheStaleAttemptIsIgnored() throws Exception {
        var agent = new LongJob();
        try (var kernel =
                TestKernels.open(TestKernels.withPlaybook(dir, "job", """
                        name: job
                        trigger: job.requested
                        steps:
                          - id: work
                            agent: long-job
                            input: { name: event.subject }
                            heartbeat: 500ms
                        """).agent(agent))) {
            kernel.start();
            String run = TestKernels.start(kernel, "job.requested", "report", java.time.Instant.now());
            var done = TestKernels.awaitRun(kernel, run, r -> r.status() == RunStatus.COMPLETED);
            var work = done.steps().getFirst();
            assertThat(work.output().path("by").asText()).isEqualTo("attempt 2");
            assertThat(work.attempts()).hasSize(2);
            var first = work.attempts().get(0);
            var second = work.attempts().get(1);
            assertThat(first.outcome()).isEqualTo(AttemptOutcome.ABANDONED);
            // While it heartbeat (1.5 s, three times the 500 ms timeout), nobody took it over.
            assertThat(Duration.between(first.startedAt(), second.startedAt())).isGreaterThan(Duration.ofMillis(1500));
            assertThat(agent.attempts.get()).isEqualTo(2);
        }
    }
}
