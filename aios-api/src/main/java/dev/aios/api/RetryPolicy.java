package dev.aios.api;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How often and how fast a failing step is tried again. The pause before attempt {@code n + 1} is
 * {@code initialBackoff × multiplier^(n-1)}, capped at {@code maxBackoff}, then spread by up to
 * ± {@code jitter} of itself so that many failing steps do not retry in lockstep.
 *
 * @param maxAttempts attempts in all, the first included (1 means no retry)
 * @param initialBackoff the pause after the first failure
 * @param multiplier how much each further pause grows, at least 1
 * @param maxBackoff the longest pause
 * @param jitter the random spread, 0 to 1
 * @param nonRetryable errors that are not tried again: exception class names (simple or fully
 *     qualified, a trailing {@code *} matches a prefix), or {@code ContractViolation}
 */
public record RetryPolicy(
        int maxAttempts,
        Duration initialBackoff,
        double multiplier,
        Duration maxBackoff,
        double jitter,
        List<String> nonRetryable) {

    /** Three attempts, 1 s then 2 s apart, 20 % jitter. */
    public static final RetryPolicy DEFAULT =
            new RetryPolicy(3, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(1), 0.2, List.of());

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        nonRetryable = List.copyOf(nonRetryable);
        if (maxAttempts < 1 || maxAttempts > 1000) {
            throw new IllegalArgumentException("retry attempts must be between 1 and 1000, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("retry backoff cannot be negative");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "retry maxBackoff (" + maxBackoff + ") is shorter than backoff (" + initialBackoff + ")");
        }
        if (multiplier < 1.0 || multiplier > 100) {
            throw new IllegalArgumentException("retry multiplier must be between 1 and 100, was " + multiplier);
        }
        if (jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("retry jitter must be between 0 and 1, was " + jitter);
        }
    }

    /** A copy with another number of attempts. */
    public RetryPolicy withMaxAttempts(int maxAttempts) {
        return new RetryPolicy(maxAttempts, initialBackoff, multiplier, maxBackoff, jitter, nonRetryable);
    }

    /** A copy with other pauses. */
    public RetryPolicy withBackoff(Duration initialBackoff, double multiplier, Duration maxBackoff) {
        return new RetryPolicy(maxAttempts, initialBackoff, multiplier, maxBackoff, jitter, nonRetryable);
    }

    /** A copy with another jitter. */
    public RetryPolicy withJitter(double jitter) {
        return new RetryPolicy(maxAttempts, initialBackoff, multiplier, maxBackoff, jitter, nonRetryable);
    }

    /** A copy that does not retry these errors. */
    public RetryPolicy withNonRetryable(String... errors) {
        return new RetryPolicy(maxAttempts, initialBackoff, multiplier, maxBackoff, jitter, List.of(errors));
    }

    /** The pause after failed attempt {@code attempt} (1-based), before jitter. */
    public Duration backoff(int attempt) {
        double millis = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return Duration.ofMillis((long) Math.min(millis, maxBackoff.toMillis()));
    }

    /** Whether an error of this class is not to be retried. */
    public boolean isNonRetryable(String errorClass) {
        String simple = errorClass.substring(errorClass.lastIndexOf('.') + 1);
        for (String rule : nonRetryable) {
            if (rule.endsWith("*")) {
                String prefix = rule.substring(0, rule.length() - 1);
                if (errorClass.startsWith(prefix) || simple.startsWith(prefix)) {
                    return true;
                }
            } else if (rule.equals(errorClass) || rule.equals(simple)) {
                return true;
            }
        }
        return false;
    }
}
