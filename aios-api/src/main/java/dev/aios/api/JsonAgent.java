package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An agent whose input and output are described by JSON Schemas rather than Java records, for
 * agents defined by data: prompt agents declared in a playbook, connector actions. The kernel
 * validates input and output against the schemas exactly as for {@link Agent}.
 */
public interface JsonAgent {

    /** What this agent promises. */
    JsonContract contract();

    /** Does the work for one step. */
    JsonNode run(JsonNode input, AgentContext context) throws Exception;
}
