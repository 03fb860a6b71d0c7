package dev.aios.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Thrown by an agent (or inside an effect) when the outside system asked it to come back later,
 * e.g. an HTTP 429 with Retry-After: the step waits that long without using up an attempt, and
 * the circuit breaker does not count it as a failure.
 */
public class TryAgainLater extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Duration after;

    /**
     * @param reason what the outside system said, shown on the step while it waits
     * @param after how long to wait
     */
    public TryAgainLater(String reason, Duration after) {
        super(Objects.requireNonNull(reason, "reason"));
        this.after = Objects.requireNonNull(after, "after");
        if (after.isNegative()) {
            throw new IllegalArgumentException("cannot try again in the past: " + after);
        }
    }

    /** How long to wait before trying again. */
    public Duration after() {
        return after;
    }
}
