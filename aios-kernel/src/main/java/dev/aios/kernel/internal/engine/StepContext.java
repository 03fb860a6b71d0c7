package dev.aios.kernel.internal.engine;

import dev.aios.api.AgentContext;
import dev.aios.api.Effect;
import dev.aios.api.PlaybookRef;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link AgentContext} of one attempt of one step. */
final class StepContext implements AgentContext {
    private final String runId;
    private final String stepId;
    private final int iteration;
    private final int attempt;
    private final String subject;
    private final PlaybookRef playbook;
    private final InstantSource clock;
    private final String keySuffix;
    private final Lease lease;
    private final String agent;
    private final Set<String> declaredEffects;
    private final Optional<Duration> heartbeatTimeout;
    private final Effects effects;
    private final Map<String, Integer> ordinals = new ConcurrentHashMap<>();
    private volatile long lastBeatNanos = System.nanoTime();

    StepContext(
            Lease lease,
            String subject,
            PlaybookRef playbook,
            InstantSource clock,
            String keySuffix,
            String agent,
            Set<String> declaredEffects,
            Optional<Duration> heartbeatTimeout,
            Effects effects) {
        this.runId = lease.runId();
        this.stepId = lease.step();
        this.iteration = lease.iteration();
        this.attempt = lease.attempt();
        this.subject = subject;
        this.playbook = playbook;
        this.clock = clock;
        this.keySuffix = keySuffix;
        this.lease = lease;
        this.agent = agent;
        this.declaredEffects = Set.copyOf(declaredEffects);
        this.heartbeatTimeout = heartbeatTimeout;
        this.effects = effects;
    }

    /** Run, step and iteration: the same for every attempt, different for every other step. */
    static String idempotencyKey(String runId, String stepId, int iteration) {
        return runId + ":" + stepId + ":" + iteration;
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public String stepId() {
        return stepId;
    }

    @Override
    public int iteration() {
        return iteration;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public String subject() {
        return subject;
    }

    @Override
    public PlaybookRef playbook() {
        return playbook;
    }

    @Override
    public InstantSource clock() {
        return clock;
    }

    @Override
    public String idempotencyKey() {
        return idempotencyKey(runId, stepId, iteration) + keySuffix;
    }

    @Override
    public <R> R effect(String name, Class<R> resultType, Effect<R> action) throws Exception {
        return effects.perform(this, name, resultType, action);
    }

    @Override
    public void heartbeat() {
        if (heartbeatTimeout.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        // A beat every third of the timeout keeps the lease alive without writing on every call.
        if (now - lastBeatNanos < heartbeatTimeout.get().toNanos() / 3) {
            return;
        }
        lastBeatNanos = now;
        effects.extendLease(lease, heartbeatTimeout.get());
    }

    /** The key of the next effect called {@code name} in this attempt. */
    String effectKey(String name) {
        int ordinal = ordinals.merge(name, 1, Integer::sum);
        return idempotencyKey() + ":" + name + (ordinal > 1 ? "#" + ordinal : "");
    }

    String agent() {
        return agent;
    }

    Set<String> declaredEffects() {
        return declaredEffects;
    }
}
