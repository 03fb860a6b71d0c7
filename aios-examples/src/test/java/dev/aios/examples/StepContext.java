package dev.aios.examples;

import dev.aios.api.AgentContext;
import dev.aios.api.PlaybookRef;
import java.time.Instant;
import java.time.InstantSource;

/** An agent context for calling an agent directly, as the kernel would for one attempt of a step. */
record StepContext(String runId, String stepId, int iteration, int attempt, InstantSource clock)
        implements AgentContext {

    static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");

    /** The first attempt of the first entry of {@code stepId} in run {@code runId}, at {@link #NOW}. */
    static StepContext of(String runId, String stepId) {
        return new StepContext(runId, stepId, 0, 1, InstantSource.fixed(NOW));
    }

    StepContext withIteration(int iteration) {
        return new StepContext(runId, stepId, iteration, attempt, clock);
    }

    StepContext withAttempt(int attempt) {
        return new StepContext(runId, stepId, iteration, attempt, clock);
    }

    @Override
    public String subject() {
        return "acme";
    }

    @Override
    public PlaybookRef playbook() {
        return new PlaybookRef("design-subscription", "test");
    }

    @Override
    public String idempotencyKey() {
        return runId + ":" + stepId + ":" + iteration;
    }

    @Override
    public <R> R effect(String name, Class<R> resultType, dev.aios.api.Effect<R> action) throws Exception {
        return action.perform(idempotencyKey() + ":" + name);
    }

    @Override
    public void heartbeat() {}

    @Override
    public com.fasterxml.jackson.databind.JsonNode call(String agent, com.fasterxml.jackson.databind.JsonNode input) {
        throw new IllegalStateException("tool calls are not part of this test");
    }

    /** No stateful agent has handled a message yet: every instance's state is empty. */
    @Override
    public dev.aios.api.Instances instances() {
        return (agent, subject) -> java.util.Optional.empty();
    }

    @Override
    public <T> T service(Class<T> type) {
        throw new IllegalStateException("no " + type.getSimpleName() + " in this test");
    }
}
