package dev.aios.kernel.spi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.AgentContext;

/** The step attempt a {@link StepService} was opened for. */
public interface StepScope {

    /** The step's context, with its ids, idempotency key, effects and clock. */
    AgentContext context();

    /** The agent running the step. */
    String agent();

    /**
     * Adds to the step's provenance, which is journaled with the step's outcome and shown with it:
     * e.g. kind {@code recall} with the memory items used, kind {@code model} with the model call.
     */
    void note(String kind, JsonNode detail);
}
