package dev.aios.kernel;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the kernel's work is flowing, for the operator's health page.
 *
 * @param due steps, timers and timeouts due now that no worker holds yet
 * @param leased items a worker holds (executing)
 * @param scheduled items due later: sleeping timers, retries after backoff, await timeouts
 * @param oldestDue when the longest-waiting due item became due; how far behind the workers are
 * @param awaiting runs waiting for an event
 * @param deadLetters open tasks for steps or undos that failed for good
 * @param breakers the circuit breaker of each connector called since the kernel started
 */
public record KernelHealth(
        long due,
        long leased,
        long scheduled,
        Optional<Instant> oldestDue,
        long awaiting,
        long deadLetters,
        List<Breaker> breakers) {

    public KernelHealth {
        Objects.requireNonNull(oldestDue, "oldestDue");
        breakers = List.copyOf(breakers);
    }

    /**
     * One connector's circuit breaker.
     *
     * @param connector the connector, e.g. {@code payments}
     * @param state closed (calls go out), open (calls wait), half-open (one trial call), or another
     *     Resilience4j state in lower case
     * @param failureRatePercent the share of recent calls that failed, -1 before enough calls
     * @param calls calls in the breaker's window
     */
    public record Breaker(String connector, String state, float failureRatePercent, int calls) {}
}
