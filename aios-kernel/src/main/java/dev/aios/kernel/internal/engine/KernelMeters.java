package dev.aios.kernel.internal.engine;

import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.WorkKind;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kernel's own metrics, recorded where things happen: group commits, step attempts, connector
 * calls and their circuit breakers, and the read connection pool. Counts that the database holds
 * (runs by status, open tasks, the work queue) are read from {@link dev.aios.kernel.Overview}
 * instead. Tags are bounded: playbook, agent, connector, outcome; never a run id.
 */
final class KernelMeters {
    private static final Duration[] COMMIT_BUCKETS = durations(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500);
    private static final Duration[] STEP_BUCKETS =
            durations(5, 25, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000);
    private static final List<CircuitBreaker.State> SHOWN_STATES =
            List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN);

    private final MeterRegistry registry;

    /**
     * The step timers registered so far: building and registering one for every step (its buckets
     * and tags, the registry's look-up) cost about as much as the rest of the step's bookkeeping.
     */
    private final Map<StepTags, Timer> stepTimers = new ConcurrentHashMap<>();

    KernelMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Times every group commit and counts the units it carried; binds the read pool. */
    void watch(Store store) {
        var commits = Timer.builder("aios.writer.commit")
                .description("Time to execute and commit one group of writes (one fsync)")
                .serviceLevelObjectives(COMMIT_BUCKETS)
                .register(registry);
        var units = DistributionSummary.builder("aios.writer.commit.units")
                .description("Units of work (events, leases, step outcomes) carried by one group commit")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
                .register(registry);
        store.observeCommits((count, nanos) -> {
            commits.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            units.record(count);
        });
        store.bindMetrics(registry);
    }

    /** Records one step attempt: how long it took and how it ended. */
    void stepEnded(String playbook, CompiledStep step, WorkKind kind, Outcome outcome, long nanos) {
        stepTimers
                .computeIfAbsent(new StepTags(playbook, agentOf(step, kind), outcomeOf(outcome)), this::stepTimer)
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** The tags of a step's timer, which are bounded (see the type's description). */
    private record StepTags(String playbook, String agent, String outcome) {}

    private Timer stepTimer(StepTags tags) {
        return Timer.builder("aios.step.duration")
                .description("Step attempts by playbook, agent and outcome: time from lease to outcome")
                .serviceLevelObjectives(STEP_BUCKETS)
                .tag("playbook", tags.playbook())
                .tag("agent", tags.agent())
                .tag("outcome", tags.outcome())
                .register(registry);
    }

    /** Records one call through a connector's breaker. */
    void connectorCall(String connector, boolean succeeded, long nanos) {
        Timer.builder("aios.connector.call")
                .description("Calls of effects through a connector (circuit breaker and rate limit applied)")
                .tag("connector", connector)
                .tag("outcome", succeeded ? "success" : "failure")
                .register(registry)
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Shows a connector's breaker: 1 for the state it is in, 0 for the others. */
    void breaker(CircuitBreaker breaker) {
        for (var state : SHOWN_STATES) {
            Gauge.builder("aios.connector.breaker.state", breaker, b -> b.getState() == state ? 1 : 0)
                    .description("Circuit breaker of a connector: 1 for its current state")
                    .tag("connector", breaker.getName())
                    .tag("state", state.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
    }

    private static String agentOf(CompiledStep step, WorkKind kind) {
        if (step instanceof CompiledStep.AgentCall call) {
            return kind == WorkKind.COMPENSATE
                    ? call.compensation().map(CompiledStep.Compensation::agent).orElse(call.agent())
                    : call.agent();
        }
        return "none";
    }

    static String outcomeOf(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Completed c -> "completed";
            case Outcome.Failed f -> f.retryable() ? "failed" : "failed_permanently";
            case Outcome.Deferred d -> "deferred";
            case Outcome.Review r -> "review";
            case Outcome.Draft d -> "draft";
            case Outcome.Ask a -> "asked";
            case Outcome.Sleep s -> "waiting";
            case Outcome.Listen l -> "awaiting";
            case Outcome.Publish p -> "emitted";
            case Outcome.TimedOut t -> "timed_out";
            case Outcome.Fork f -> "branched";
            case Outcome.Items i -> "items";
            case Outcome.Turn t -> "turn";
            case Outcome.Call c -> "called";
            case Outcome.UndoChild u -> "undo_child";
            case Outcome.Nothing n -> "nothing";
        };
    }

    private static Duration[] durations(long... millis) {
        var out = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            out[i] = Duration.ofMillis(millis[i]);
        }
        return out;
    }
}
