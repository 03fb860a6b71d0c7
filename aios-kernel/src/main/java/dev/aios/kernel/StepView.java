package dev.aios.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One step of a run.
 *
 * @param id the step's id
 * @param kind {@link StepKind}: agent, approval, wait, await, branch, emit, parallel, forEach, call,
 *     conversation or send
 * @param iteration how many times the step was entered before (0 the first time)
 * @param status {@link StepStatus}: scheduled, running, retrying, deferred, waiting, in-progress,
 *     joining, completed, failed, timed-out, compensated or cancelled
 * @param deferredBy why a deferred step waits, in a word: {@code window}, {@code breaker}, {@code
 *     rate-limit} or {@code later} (the outside system asked); empty for a step not deferred
 * @param agent the agent's name and version, for agent steps
 * @param input what the step was given
 * @param output what it produced
 * @param error the last error, if any
 * @param attempts every attempt, oldest first
 * @param scheduledAt when the step was scheduled
 * @param endedAt when it completed or failed
 * @param playbookVersion the playbook version the step ran under
 * @param receipts the external effects the step performed, with their recorded results
 * @param provenance what the step used: memory recalled, models called, tools, each as {@code
 *     {"kind": ..., "detail": ...}}
 */
public record StepView(
        String id,
        StepKind kind,
        int iteration,
        StepStatus status,
        Optional<String> deferredBy,
        Optional<String> agent,
        JsonNode input,
        JsonNode output,
        Optional<String> error,
        List<AttemptView> attempts,
        Instant scheduledAt,
        Optional<Instant> endedAt,
        String playbookVersion,
        List<ReceiptView> receipts,
        List<JsonNode> provenance) {

    /**
     * An external effect a step performed, recorded once.
     *
     * @param name the effect, e.g. {@code payments:charge}
     * @param key the idempotency key it was performed with
     * @param at when it was recorded
     * @param result what it returned
     */
    public record ReceiptView(String name, String key, Instant at, JsonNode result) {}

    /**
     * One try at a step.
     *
     * @param attempt 1 for the first
     * @param startedAt when it started
     * @param endedAt when it ended; empty while it runs (or if its worker died)
     * @param outcome {@link AttemptOutcome}: running, waiting, deferred, completed, failed or abandoned
     * @param error the error of a failed attempt
     */
    public record AttemptView(
            int attempt,
            Instant startedAt,
            Optional<Instant> endedAt,
            AttemptOutcome outcome,
            Optional<String> error) {}
}
