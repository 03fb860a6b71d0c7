package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Event;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunState;
import java.util.HashMap;
import java.util.Map;

/**
 * The variables a run's CEL expressions see: {@code event} (the event at hand: the trigger, or the
 * candidate in an await match), {@code trigger}, {@code steps} (outputs by step id) and {@code run}
 * (id, subject, playbook, version, startedAt).
 */
final class RunVars {
    private RunVars() {}

    static Map<String, JsonNode> of(RunState state) {
        var vars = new HashMap<String, JsonNode>();
        vars.put("event", state.trigger);
        vars.put("trigger", state.trigger);
        vars.put("steps", state.steps);
        ObjectNode run = Json.object();
        run.put("id", state.id);
        run.put("subject", state.subject);
        run.put("playbook", state.playbook);
        run.put("version", state.version);
        run.put("startedAt", state.createdAt.toString());
        vars.put("run", run);
        return vars;
    }

    /**
     * The variables of the step at {@code path}: as {@link #of}, with {@code steps} also holding the
     * outputs of the steps in the scopes around it (its branch, its iteration), and each enclosing
     * forEach iteration's item under its name, and, in a conversation turn, {@code transcript} and
     * {@code last}.
     */
    static Map<String, JsonNode> at(RunState state, CompiledPlaybook playbook, String path) {
        var vars = of(state);
        if (path.indexOf('/') < 0 || state.scopes.isEmpty()) {
            return vars;
        }
        var steps = Json.object();
        steps.setAll(state.steps);
        for (int cut = path.indexOf('/'); cut >= 0; cut = path.indexOf('/', cut + 1)) {
            var scope = state.scopes.get(path.substring(0, cut));
            if (scope == null) {
                continue;
            }
            steps.setAll(scope.steps);
            if (scope.item != null) {
                var block = path.substring(0, path.lastIndexOf('[', cut));
                if (playbook.step(block) instanceof CompiledStep.ForEach forEach) {
                    vars.put(forEach.as(), scope.item);
                } else if (playbook.step(block) instanceof CompiledStep.Conversation
                        && state.blocks.get(block) != null) {
                    var scoped = Turns.scoped(vars, state.blocks.get(block).transcript);
                    vars.put("transcript", scoped.get("transcript"));
                    vars.put("last", scoped.get("last"));
                }
            }
        }
        vars.put("steps", steps);
        return vars;
    }

    /** The variables for matching {@code candidate} against the step at {@code path} of a waiting run. */
    static Map<String, JsonNode> withEvent(RunState state, CompiledPlaybook playbook, String path, JsonNode candidate) {
        var vars = at(state, playbook, path);
        vars.put("event", candidate);
        return vars;
    }

    /** The variables of a trigger condition: just the event. */
    static Map<String, JsonNode> ofEvent(JsonNode event) {
        var vars = new HashMap<String, JsonNode>();
        vars.put("event", event);
        vars.put("trigger", event);
        return vars;
    }

    /** An event as the runs see it; {@code seq} is its position in the event log. */
    static ObjectNode json(Event event, long seq) {
        return json(event, seq, 0);
    }

    /**
     * An event as the runs see it, with its causal {@code depth}: how many runs, each started by
     * the event the one before emitted, led to it (written only when above 0).
     */
    static ObjectNode json(Event event, long seq, int depth) {
        ObjectNode json = Json.object();
        json.put("seq", seq);
        json.put("id", event.id());
        json.put("type", event.type());
        json.put("subject", event.subject());
        json.put("source", event.source());
        json.put("time", event.time().toString());
        json.set("data", event.data());
        json.put("correlationId", event.correlationId());
        json.put("causationId", event.causationId());
        if (depth > 0) {
            json.put("depth", depth);
        }
        return json;
    }
}
