package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.aios.api.Effect;
import dev.aios.api.PermanentFailure;
import dev.aios.api.TryAgainLater;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry.EffectRecorded;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.spi.Handle;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Performs effects once: a recorded receipt is returned instead of repeating the effect; a new
 * effect goes through its connector's breaker and rate limit and its receipt is made durable
 * before the step goes on.
 */
final class Effects {
    /** A connector, optionally one of its instances ({@code http/api.example.com}), and an action. */
    private static final Pattern NAME =
            Pattern.compile("[a-z][a-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?(:[A-Za-z0-9][A-Za-z0-9._-]*)?");

    private final Store store;
    private final RunJournal journal;
    private final Connectors connectors;
    private final InstantSource clock;
    private final AgentLookup agents;

    Effects(Store store, RunJournal journal, Connectors connectors, InstantSource clock, AgentLookup agents) {
        this.store = store;
        this.journal = journal;
        this.connectors = connectors;
        this.clock = clock;
        this.agents = agents;
    }

    /**
     * Calls another agent as a tool, recorded like an effect ({@code agent:NAME}): a step that runs
     * again gets the recorded output.
     */
    JsonNode callAgent(StepContext ctx, String name, JsonNode input) throws Exception {
        var binding = agents.find(ctx.playbook(), name)
                .orElseThrow(() -> new PermanentFailure("agent '" + ctx.agent() + "' called agent '" + name
                        + "' as a tool, but no such agent is registered or declared by the playbook"));
        String effect = "agent:" + name;
        String key = ctx.effectKey(effect);
        var recorded = receipt(key);
        if (recorded.isPresent()) {
            return recorded.get();
        }
        var tool = ctx.forTool(
                name,
                binding.terms().effects(),
                key.substring(ctx.idempotencyKey().length() + 1));
        JsonNode output = binding.call(input, tool);
        tool.notes()
                .forEach(note ->
                        ctx.note("tool:" + name + ":" + note.path("kind").asText(), note.path("detail")));
        return record(ctx, effect, key, output, null);
    }

    /**
     * Performs an effect once; {@code alongside} (or null) runs in the transaction that makes its
     * receipt durable, when the action ran in this attempt.
     */
    <R> R perform(StepContext ctx, String name, Class<R> type, Effect<R> action, Consumer<Handle> alongside)
            throws Exception {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new PermanentFailure("effect name '" + name
                    + "' must be a connector name, optionally with an instance and an action: e.g. payments,"
                    + " payments:charge or http/api.example.com:post");
        }
        String connector = Connectors.connectorOf(name);
        String family = Connectors.familyOf(connector);
        if (!ctx.declaredEffects().contains(family)
                && !ctx.declaredEffects().contains(connector)
                && !ctx.declaredEffects().contains(name)) {
            throw new PermanentFailure("agent '" + ctx.agent() + "' used effect '" + name
                    + "' but its contract declares only " + ctx.declaredEffects()
                    + "; declare it with withEffects(\"" + family + "\")");
        }
        if (ctx.shadowEffects().isPresent() && !ctx.shadowEffects().get().contains(connector)) {
            throw new PermanentFailure("agent '" + ctx.agent() + "' runs in the shadow, where effect '" + name
                    + "' is not performed (only " + ctx.shadowEffects().get() + " are)");
        }
        String key = ctx.effectKey(name);
        var recorded = receipt(key);
        if (recorded.isPresent()) {
            return convert(recorded.get(), type, name);
        }
        var permit = connectors.acquire(connector);
        R result;
        try (var ignored = permit.enter()) {
            result = action.perform(key);
        } catch (PermanentFailure | TryAgainLater answered) {
            // The system answered (a refusal, "come back later"): it is not down.
            permit.succeeded();
            throw answered;
        } catch (Exception | Error e) {
            permit.failed(e);
            throw e;
        }
        permit.succeeded();
        JsonNode json = result == null ? NullNode.instance : Json.tree(result);
        JsonNode kept = record(ctx, name, key, json, alongside);
        return kept == json ? result : convert(kept, type, name);
    }

    /** Makes a receipt durable; returns the result that stands (an earlier attempt's, if it won). */
    private JsonNode record(StepContext ctx, String name, String key, JsonNode json, Consumer<Handle> alongside) {
        return store.write(tx -> {
            if (alongside != null) {
                alongside.accept(tx.handle());
            }
            var first = tx.receipts().find(key);
            if (first.isPresent()) {
                return first.get(); // another attempt recorded this effect first; its result stands
            }
            var state = journal.load(tx, ctx.runId()).orElseThrow();
            journal.append(
                    tx,
                    state,
                    clock.instant(),
                    List.of(new EffectRecorded(ctx.stepId(), ctx.iteration(), name, key, json)));
            return json;
        });
    }

    /** Extends a step's lease; fails when the attempt was taken over. */
    void extendLease(Lease lease, Duration by) {
        boolean extended = store.write(tx ->
                tx.work().extend(lease.key(), lease.owner(), clock.instant().plus(by)));
        if (!extended) {
            throw new IllegalStateException("step '" + lease.step() + "' of run " + lease.runId()
                    + " was taken over by another attempt after its heartbeat stopped; stop this one");
        }
    }

    private Optional<JsonNode> receipt(String key) {
        return store.read(tx -> tx.receipts().find(key));
    }

    private static <R> R convert(JsonNode json, Class<R> type, String name) {
        if (type.isInstance(json)) {
            return type.cast(json);
        }
        try {
            return Json.mapper().treeToValue(json, type);
        } catch (Exception e) {
            throw new PermanentFailure(
                    "the receipt of effect '" + name + "' cannot be read as " + type.getSimpleName() + ": "
                            + e.getMessage(),
                    e);
        }
    }
}
