package dev.aios.kernel;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the kernel protects an outside system that agents reach through effects of one connector
 * (the part of the effect name before {@code :}): a circuit breaker that stops calls after too
 * many failures, and an optional rate limit. A step held back by either waits without using up an
 * attempt, and says why.
 *
 * @param failureRatePercent the share of failed calls, in percent, that opens the breaker
 * @param window how many recent calls the failure rate is computed over
 * @param minimumCalls how many calls must have been made before the breaker may open
 * @param openFor how long the breaker stays open before letting a few trial calls through
 * @param rateLimit at most this many calls per period, if set
 */
public record ConnectorPolicy(
        int failureRatePercent, int window, int minimumCalls, Duration openFor, Optional<RateLimit> rateLimit) {

    /**
     * A rate limit.
     *
     * @param calls calls allowed per period
     * @param per the period
     */
    public record RateLimit(int calls, Duration per) {
        public RateLimit {
            Objects.requireNonNull(per, "per");
            if (calls < 1) {
                throw new IllegalArgumentException("a rate limit allows at least 1 call, was " + calls);
            }
            if (per.isNegative() || per.isZero()) {
                throw new IllegalArgumentException("a rate limit's period must be positive, was " + per);
            }
        }
    }

    /** Opens at 50 % failures over the last 10 calls (at least 5), for 30 seconds; no rate limit. */
    public static final ConnectorPolicy DEFAULT =
            new ConnectorPolicy(50, 10, 5, Duration.ofSeconds(30), Optional.empty());

    public ConnectorPolicy {
        Objects.requireNonNull(openFor, "openFor");
        Objects.requireNonNull(rateLimit, "rateLimit");
        if (failureRatePercent < 1 || failureRatePercent > 100) {
            throw new IllegalArgumentException("failure rate must be 1 to 100 percent, was " + failureRatePercent);
        }
        if (window < 1 || minimumCalls < 1) {
            throw new IllegalArgumentException("window and minimum calls must be at least 1");
        }
        if (openFor.isNegative() || openFor.isZero()) {
            throw new IllegalArgumentException("openFor must be positive, was " + openFor);
        }
    }

    /** A copy with a rate limit. */
    public ConnectorPolicy withRateLimit(int calls, Duration per) {
        return new ConnectorPolicy(
                failureRatePercent, window, minimumCalls, openFor, Optional.of(new RateLimit(calls, per)));
    }

    /** A copy with another breaker. */
    public ConnectorPolicy withBreaker(int failureRatePercent, int window, int minimumCalls, Duration openFor) {
        return new ConnectorPolicy(failureRatePercent, window, minimumCalls, openFor, rateLimit);
    }
}
