package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an agent asks a model.
 *
 * @param modelClass the model class: {@code small}, {@code large} or a class named in {@code
 *     aios.yaml}
 * @param system instructions sent as the system message; "" for none
 * @param prompt the user message
 * @param outputSchema a JSON Schema (an object) the answer must match: the model is asked for JSON
 *     of that shape, and an answer that does not match gets one repair request
 * @param tools agents the model may call, by name; each call is journaled like any tool call
 * @param maxOutputTokens the most tokens the answer may take; also what the budget check assumes
 * @param cacheable whether the answer may come from, and go to, the response cache
 */
public record ModelRequest(
        String modelClass,
        String system,
        String prompt,
        Optional<JsonNode> outputSchema,
        List<ModelTool> tools,
        int maxOutputTokens,
        boolean cacheable) {

    /** The answer length assumed when none is given. */
    public static final int DEFAULT_MAX_OUTPUT_TOKENS = 1024;

    public ModelRequest {
        Objects.requireNonNull(modelClass, "modelClass");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(outputSchema, "outputSchema");
        if (modelClass.isBlank()) {
            throw new IllegalArgumentException("a model request needs a model class, e.g. 'small' or 'large'");
        }
        if (outputSchema.isPresent() && !outputSchema.get().isObject()) {
            throw new IllegalArgumentException(
                    "the output schema must be a JSON Schema object, was " + outputSchema.get());
        }
        if (maxOutputTokens < 1) {
            throw new IllegalArgumentException("maxOutputTokens must be positive, was " + maxOutputTokens);
        }
        outputSchema = outputSchema.map(JsonNode::deepCopy);
        tools = List.copyOf(tools);
    }

    /** A plain request: no system message, no schema, no tools, cacheable. */
    public static ModelRequest of(String modelClass, String prompt) {
        return new ModelRequest(modelClass, "", prompt, Optional.empty(), List.of(), DEFAULT_MAX_OUTPUT_TOKENS, true);
    }

    @Override
    public Optional<JsonNode> outputSchema() {
        return outputSchema.map(JsonNode::deepCopy);
    }

    /** A copy for another model class. */
    public ModelRequest withModelClass(String modelClass) {
        return new ModelRequest(modelClass, system, prompt, outputSchema, tools, maxOutputTokens, cacheable);
    }

    /** A copy with this system message. */
    public ModelRequest withSystem(String system) {
        return new ModelRequest(modelClass, system, prompt, outputSchema, tools, maxOutputTokens, cacheable);
    }

    /** A copy whose answer must be JSON matching {@code schema}. */
    public ModelRequest withOutputSchema(JsonNode schema) {
        return new ModelRequest(modelClass, system, prompt, Optional.of(schema), tools, maxOutputTokens, cacheable);
    }

    /** A copy offering these agents as tools. */
    public ModelRequest withTools(List<ModelTool> tools) {
        return new ModelRequest(modelClass, system, prompt, outputSchema, tools, maxOutputTokens, cacheable);
    }

    /** A copy with another answer length. */
    public ModelRequest withMaxOutputTokens(int maxOutputTokens) {
        return new ModelRequest(modelClass, system, prompt, outputSchema, tools, maxOutputTokens, cacheable);
    }

    /** A copy that bypasses the response cache (or uses it again). */
    public ModelRequest withCacheable(boolean cacheable) {
        return new ModelRequest(modelClass, system, prompt, outputSchema, tools, maxOutputTokens, cacheable);
    }
}
