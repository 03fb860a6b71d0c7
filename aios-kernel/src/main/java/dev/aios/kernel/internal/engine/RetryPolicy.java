package dev.aios.kernel.internal.engine;

import java.time.Duration;

/**
 * How often and how fast a failing step is tried again.
 *
 * @param maxAttempts attempts in all, the first included
 * @param initialBackoff the pause before the second attempt
 * @param multiplier how much each further pause grows
 * @param maxBackoff the longest pause
 */
record RetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff) {

    static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(1));

    RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("multiplier must be at least 1, was " + multiplier);
        }
    }

    /** The pause after failed attempt {@code attempt} (1-based). */
    Duration backoff(int attempt) {
        double millis = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return Duration.ofMillis((long) Math.min(millis, maxBackoff.toMillis()));
    }
}
