package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.AgentContext;
import dev.aios.api.JsonAgent;
import dev.aios.api.JsonContract;
import dev.aios.api.PermanentFailure;
import dev.aios.api.Stateful;
import dev.aios.kernel.internal.cel.CelException;
import dev.aios.kernel.internal.cel.Expression;
import java.util.Map;
import java.util.Optional;

/**
 * An agent a playbook declares {@code stateful: true}. With an {@code end:} condition it ends its
 * instance, as a Java agent does with {@link AgentContext#end()}, when the condition holds over the
 * state it returned for a message ({@code state}) and that message ({@code message}).
 *
 * @param agent the agent the declaration's factory built
 * @param end the condition, if declared
 */
record DeclaredStatefulAgent(JsonAgent agent, Optional<Expression> end) implements JsonAgent, Stateful {

    @Override
    public JsonContract contract() {
        return agent.contract();
    }

    @Override
    public JsonNode run(JsonNode input, AgentContext context) throws Exception {
        var state = agent.run(input, context);
        if (end.isPresent() && ends(end.get(), state, input.path("message"))) {
            context.end();
        }
        return state;
    }

    private boolean ends(Expression condition, JsonNode state, JsonNode message) {
        try {
            return condition.test(Map.of("state", state, "message", message));
        } catch (CelException e) {
            // Trying again gives the same answer: the message goes to the operator's inbox at once.
            throw new PermanentFailure("agent '" + contract().name() + "': its end condition failed: " + e.getMessage()
                    + "; fix end: in the playbook, then retry the message from the inbox");
        }
    }
}
