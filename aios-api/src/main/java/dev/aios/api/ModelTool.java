package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An agent a model may call as a tool during a {@link ModelRequest}. The call goes through {@link
 * AgentContext#call}: validated against the agent's contract and journaled.
 *
 * @param agent the agent's name
 * @param description what the tool does, for the model
 * @param inputSchema the JSON Schema of the tool's input (the agent's input), shown to the model
 */
public record ModelTool(String agent, String description, JsonNode inputSchema) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    public ModelTool {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(inputSchema, "inputSchema");
        if (!NAME.matcher(agent).matches()) {
            throw new IllegalArgumentException(
                    "tool '" + agent + "' must name an agent: lower-case words joined by dashes");
        }
        if (!inputSchema.isObject()) {
            throw new IllegalArgumentException("tool '" + agent + "': the input schema must be a JSON object");
        }
        inputSchema = inputSchema.deepCopy();
    }

    @Override
    public JsonNode inputSchema() {
        return inputSchema.deepCopy();
    }
}
