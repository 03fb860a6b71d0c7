package dev.aios.api;

/**
 * A role-specialized worker with a contract: typed input in, typed output out.
 *
 * <p>Agents are stateless; state lives in runs and memory. The kernel validates the input against
 * the contract before {@link #run} and the output after it, and may call {@code run} more than once
 * for the same step (after a crash or a retry): effects go through {@link AgentContext} with its
 * idempotency key so that they happen once.
 *
 * @param <I> the input record
 * @param <O> the output record
 */
public interface Agent<I extends Record, O extends Record> {

    /** What this agent promises: name, version, input and output types, effects and timeout. */
    Contract<I, O> contract();

    /**
     * Does the work for one step.
     *
     * @param input the validated input
     * @param context the step's context: ids, idempotency key, clock
     * @return the output, validated against the contract by the kernel
     * @throws Exception any failure; the kernel records it and retries or parks the step
     */
    O run(I input, AgentContext context) throws Exception;
}
