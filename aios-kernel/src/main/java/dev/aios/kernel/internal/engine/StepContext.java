package dev.aios.kernel.internal.engine;

import dev.aios.api.AgentContext;
import dev.aios.api.PlaybookRef;
import java.time.InstantSource;

/** The {@link AgentContext} of one attempt of one step. */
record StepContext(
        String runId,
        String stepId,
        int iteration,
        int attempt,
        String subject,
        PlaybookRef playbook,
        InstantSource clock)
        implements AgentContext {

    /** Run, step and iteration: the same for every attempt, different for every other step. */
    static String idempotencyKey(String runId, String stepId, int iteration) {
        return runId + ":" + stepId + ":" + iteration;
    }

    @Override
    public String idempotencyKey() {
        return idempotencyKey(runId, stepId, iteration);
    }
}
