package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.AgentContext;
import dev.aios.api.Effect;
import dev.aios.api.PlaybookRef;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.spi.StepScope;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link AgentContext} of a stateful agent's instance handling one message. Its "run" is the
 * instance ({@code agent:NAME:SUBJECT}), its "step" the message; the idempotency key is the same
 * for every attempt at the message, so effects and messages sent later happen once.
 */
final class InstanceContext implements AgentContext, StepScope {

    /** A message the handling sends its instance later. */
    record Later(Duration delay, JsonNode message) {}

    /** The agents a handling may call as tools, by name. */
    @FunctionalInterface
    interface Tools {
        java.util.Optional<dev.aios.kernel.internal.agent.AgentBinding> find(String name);
    }

    /** Where effects of instances are recorded. */
    interface Receipts {
        java.util.Optional<JsonNode> find(String key);

        /** Records an effect's result; {@code alongside} (or null) writes in the same transaction. */
        void record(String key, JsonNode result, java.util.function.Consumer<dev.aios.kernel.spi.Handle> alongside);
    }

    private final String agent;
    private final String subject;
    private final String messageId;
    private final int attempt;
    private final InstantSource clock;
    private final Set<String> declaredEffects;
    private final Receipts receipts;
    private final Services services;
    private final Tools tools;
    private final String key;
    private final Map<String, Integer> ordinals = new ConcurrentHashMap<>();
    private final Map<Class<?>, Object> opened = new ConcurrentHashMap<>();
    private final List<Later> laters = new ArrayList<>();
    private volatile boolean ended;

    InstanceContext(
            String agent,
            String subject,
            String messageId,
            int attempt,
            InstantSource clock,
            Set<String> declaredEffects,
            Receipts receipts,
            Services services,
            Tools tools) {
        this(agent, subject, messageId, attempt, clock, declaredEffects, receipts, services, tools, null);
    }

    /** A context whose idempotency key is {@code key}: that of an agent called as a tool. */
    private InstanceContext(
            String agent,
            String subject,
            String messageId,
            int attempt,
            InstantSource clock,
            Set<String> declaredEffects,
            Receipts receipts,
            Services services,
            Tools tools,
            String key) {
        this.tools = tools;
        this.key = key != null ? key : instanceId(agent, subject) + ":" + messageId;
        this.agent = agent;
        this.subject = subject;
        this.messageId = messageId;
        this.attempt = attempt;
        this.clock = clock;
        this.declaredEffects = Set.copyOf(declaredEffects);
        this.receipts = receipts;
        this.services = services;
    }

    /** The instance's name in ids and keys. */
    static String instanceId(String agent, String subject) {
        return "agent:" + agent + ":" + subject;
    }

    @Override
    public String runId() {
        return instanceId(agent, subject);
    }

    @Override
    public String stepId() {
        return messageId;
    }

    @Override
    public int iteration() {
        return 0;
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
        return new PlaybookRef("agent/" + agent, "instance");
    }

    @Override
    public InstantSource clock() {
        return clock;
    }

    @Override
    public String idempotencyKey() {
        return key;
    }

    @Override
    public <R> R effect(String name, Class<R> resultType, Effect<R> action) throws Exception {
        return effect(name, resultType, action, null);
    }

    @Override
    public <R> R effect(
            String name,
            Class<R> resultType,
            Effect<R> action,
            java.util.function.Consumer<dev.aios.kernel.spi.Handle> alongside)
            throws Exception {
        String connector = name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
        if (!declaredEffects.contains(connector)) {
            throw new IllegalStateException("agent '" + agent + "' did not declare effect '" + connector
                    + "' in its contract; add it with withEffects(\"" + connector + "\")");
        }
        int ordinal = ordinals.merge(name, 1, Integer::sum);
        String key = idempotencyKey() + ":" + name + (ordinal > 1 ? "#" + ordinal : "");
        var recorded = receipts.find(key);
        if (recorded.isPresent()) {
            return Json.mapper().treeToValue(recorded.get(), resultType);
        }
        R result = action.perform(key);
        receipts.record(key, Json.tree(result), alongside);
        return result;
    }

    @Override
    public void heartbeat() {}

    /**
     * Calls a stateless agent as a tool: its output is recorded under the call's idempotency key, so a
     * handling that runs again (after a crash or a failed attempt) gets the recorded output instead of
     * calling it again; the tool's own effects are keyed under the call.
     */
    @Override
    public JsonNode call(String name, JsonNode input) throws Exception {
        var binding = tools.find(name)
                .orElseThrow(() -> new dev.aios.api.PermanentFailure("agent '" + agent + "' called agent '" + name
                        + "' as a tool, but no such agent is registered or declared by an active playbook"));
        if (binding.agent() instanceof dev.aios.api.Stateful) {
            throw new dev.aios.api.PermanentFailure("agent '" + name + "' is stateful: it takes messages, not calls;"
                    + " send it one with a playbook's send step or an event addressed to agent/" + name);
        }
        int ordinal = ordinals.merge("agent:" + name, 1, Integer::sum);
        String callKey = idempotencyKey() + ":agent:" + name + (ordinal > 1 ? "#" + ordinal : "");
        var recorded = receipts.find(callKey);
        if (recorded.isPresent()) {
            return recorded.get();
        }
        var tool = new InstanceContext(
                name,
                subject,
                messageId,
                attempt,
                clock,
                binding.terms().effects(),
                receipts,
                services,
                tools,
                callKey);
        JsonNode output = binding.call(input, tool);
        receipts.record(callKey, output, null);
        return output;
    }

    @Override
    public <T> T service(Class<T> type) {
        return type.cast(opened.computeIfAbsent(type, t -> services.open(type, this)));
    }

    @Override
    public synchronized void later(Duration delay, JsonNode message) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("a message cannot be sent in the past; delay was " + delay);
        }
        if (message == null || !message.isObject()) {
            throw new IllegalArgumentException("a message is a JSON object, e.g. {\"remind\": \"invoice\"}");
        }
        laters.add(new Later(delay, message.deepCopy()));
    }

    @Override
    public void end() {
        ended = true;
    }

    /** Whether the handling asked to end the instance. */
    boolean ended() {
        return ended;
    }

    /** The messages to send later, in the order asked. */
    synchronized List<Later> laters() {
        return List.copyOf(laters);
    }

    @Override
    public void note(String kind, JsonNode detail) {
        // Provenance is kept with steps of runs; a message's handling keeps its state and history.
    }

    @Override
    public AgentContext context() {
        return this;
    }

    @Override
    public String agent() {
        return agent;
    }
}
