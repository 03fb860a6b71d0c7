package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The contract of a {@link JsonAgent}: as {@link Contract}, with JSON Schemas (draft 2020-12) for
 * input and output.
 *
 * @param name unique agent name, lower-case words joined by dashes
 * @param version the agent's version
 * @param description one sentence for the operator
 * @param inputSchema JSON Schema of the input
 * @param outputSchema JSON Schema of the output
 * @param preconditions CEL conditions over {@code input}
 * @param effects connectors the agent may use
 * @param timeout the longest one attempt may take
 */
public record JsonContract(
        String name,
        String version,
        String description,
        JsonNode inputSchema,
        JsonNode outputSchema,
        List<String> preconditions,
        Set<String> effects,
        Duration timeout) {

    public JsonContract {
        Objects.requireNonNull(inputSchema, "inputSchema");
        Objects.requireNonNull(outputSchema, "outputSchema");
        // The record contract's checks apply to the shared fields.
        var check = new Contract<>(
                name,
                version,
                Contract.Empty.class,
                Contract.Empty.class,
                description,
                preconditions,
                effects,
                timeout);
        preconditions = check.preconditions();
        effects = check.effects();
        inputSchema = inputSchema.deepCopy();
        outputSchema = outputSchema.deepCopy();
    }

    @Override
    public JsonNode inputSchema() {
        return inputSchema.deepCopy();
    }

    @Override
    public JsonNode outputSchema() {
        return outputSchema.deepCopy();
    }
}
