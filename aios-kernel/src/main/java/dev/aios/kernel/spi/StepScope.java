package dev.aios.kernel.spi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.AgentContext;
import dev.aios.api.Effect;
import java.util.function.Consumer;

/** The step attempt a {@link StepService} was opened for. */
public interface StepScope {

    /** The step's context, with its ids, idempotency key, effects and clock. */
    AgentContext context();

    /** The agent running the step. */
    String agent();

    /**
     * Performs an effect once, as {@link AgentContext#effect} does, and runs {@code alongside} in the
     * transaction that makes its receipt durable: rows an extension keeps about the effect (a model
     * call's cost in the ledger) commit with the receipt, in one write instead of two. {@code
     * alongside} runs only when {@code action} ran in this attempt (also when an earlier attempt's
     * receipt stands, since this attempt's effect happened too); it may run more than once if that
     * transaction is tried again, and its writes are lost with the receipt if the transaction fails.
     */
    <R> R effect(String name, Class<R> resultType, Effect<R> action, Consumer<Handle> alongside) throws Exception;

    /**
     * Adds to the step's provenance, which is journaled with the step's outcome and shown with it:
     * e.g. kind {@code recall} with the memory items used, kind {@code model} with the model call.
     */
    void note(String kind, JsonNode detail);
}
