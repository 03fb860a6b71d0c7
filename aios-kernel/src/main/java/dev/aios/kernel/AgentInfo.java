package dev.aios.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * An agent's contract as the API shows it.
 *
 * @param name the agent's name
 * @param version its version
 * @param description one sentence for the operator
 * @param inputSchema JSON Schema of the input, derived from the input record
 * @param outputSchema JSON Schema of the output, derived from the output record
 * @param preconditions CEL conditions over {@code input}
 * @param effects external effects it may use
 * @param timeout the longest one attempt may take
 * @param stateful whether it keeps one instance per subject that handles messages (see {@code
 *     dev.aios.api.Stateful}) rather than being called by steps
 */
public record AgentInfo(
        String name,
        String version,
        String description,
        JsonNode inputSchema,
        JsonNode outputSchema,
        List<String> preconditions,
        Set<String> effects,
        Duration timeout,
        boolean stateful) {}
