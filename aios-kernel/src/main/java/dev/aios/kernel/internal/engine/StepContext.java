package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.AgentContext;
import dev.aios.api.Effect;
import dev.aios.api.PlaybookRef;
import dev.aios.kernel.spi.StepScope;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The {@link AgentContext} of one attempt of one step, and the scope its services are opened for. */
final class StepContext implements AgentContext, StepScope {
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
    private final Services services;
    private final Optional<Set<String>> shadowEffects;
    private final Map<String, Integer> ordinals = new ConcurrentHashMap<>();
    private final Map<Class<?>, Object> opened = new ConcurrentHashMap<>();
    private final List<JsonNode> notes = new CopyOnWriteArrayList<>();
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
            Effects effects,
            Services services,
            Optional<Set<String>> shadowEffects) {
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
        this.services = services;
        this.shadowEffects = shadowEffects.map(Set::copyOf);
    }

    /** A context for a tool call made by {@code caller}: same step, its own keys. */
    StepContext forTool(String agent, Set<String> declaredEffects, String ordinalKey) {
        return new StepContext(
                lease,
                subject,
                playbook,
                clock,
                keySuffix + ":" + ordinalKey,
                agent,
                declaredEffects,
                heartbeatTimeout,
                effects,
                services,
                shadowEffects);
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
        return effects.perform(this, name, resultType, action, null);
    }

    @Override
    public <R> R effect(
            String name, Class<R> resultType, Effect<R> action, Consumer<dev.aios.kernel.spi.Handle> alongside)
            throws Exception {
        return effects.perform(this, name, resultType, action, alongside);
    }

    @Override
    public JsonNode call(String agent, JsonNode input) throws Exception {
        return effects.callAgent(this, agent, input);
    }

    @Override
    public <T> T service(Class<T> type) {
        return type.cast(opened.computeIfAbsent(type, t -> services.open(type, this)));
    }

    @Override
    public AgentContext context() {
        return this;
    }

    @Override
    public String agent() {
        return agent;
    }

    @Override
    public void note(String kind, JsonNode detail) {
        var note = dev.aios.kernel.internal.Json.object();
        note.put("kind", kind);
        note.set("detail", detail);
        notes.add(note);
    }

    /** The provenance noted so far. */
    List<JsonNode> notes() {
        return List.copyOf(notes);
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

    Set<String> declaredEffects() {
        return declaredEffects;
    }

    /** In the shadow: the connectors whose effects are performed; every other effect is refused. */
    Optional<Set<String>> shadowEffects() {
        return shadowEffects;
    }
}
