package dev.aios.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a step behaves under failure. Empty values fall back to the playbook's defaults, then to the
 * kernel's ({@link RetryPolicy#DEFAULT}, the agent contract's timeout, park on failure).
 *
 * @param retry how often and how fast to try again
 * @param timeout the longest one attempt may take
 * @param heartbeat for long steps that call {@link AgentContext#heartbeat()}: if no heartbeat comes
 *     for this long, the attempt is taken as lost and the step runs again
 * @param compensation what undoes the step once completed
 * @param onFailure what happens when retries are exhausted
 * @param window a batch window by name (defined in the settings, e.g. {@code overnight}): the step
 *     waits, deferred, until the window is open, e.g. to move bulk model work to cheap hours
 */
public record StepOptions(
        Optional<RetryPolicy> retry,
        Optional<Duration> timeout,
        Optional<Duration> heartbeat,
        Optional<Compensation> compensation,
        Optional<FailureAction> onFailure,
        Optional<String> window) {

    /** What a run does when a step fails for good. */
    public enum FailureAction {
        /** Park the step in the operator's inbox (retry, skip, compensate or cancel). */
        PARK,
        /** Undo the completed steps in reverse order and end the run compensated. */
        COMPENSATE
    }

    /** Nothing set. */
    public static final StepOptions NONE = new StepOptions(
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** Options without a batch window. */
    public StepOptions(
            Optional<RetryPolicy> retry,
            Optional<Duration> timeout,
            Optional<Duration> heartbeat,
            Optional<Compensation> compensation,
            Optional<FailureAction> onFailure) {
        this(retry, timeout, heartbeat, compensation, onFailure, Optional.empty());
    }

    public StepOptions {
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(compensation, "compensation");
        Objects.requireNonNull(onFailure, "onFailure");
        Objects.requireNonNull(window, "window");
        window.ifPresent(name -> {
            if (!name.matches("[a-z][a-z0-9-]*")) {
                throw new IllegalArgumentException(
                        "window '" + name + "' must be a window's name in lower-case words, e.g. overnight");
            }
        });
        timeout.ifPresent(t -> requirePositive("timeout", t));
        heartbeat.ifPresent(t -> requirePositive("heartbeat", t));
    }

    private static void requirePositive(String what, Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + duration);
        }
    }

    /** A copy with a retry policy. */
    public StepOptions withRetry(RetryPolicy retry) {
        return new StepOptions(Optional.of(retry), timeout, heartbeat, compensation, onFailure, window);
    }

    /** A copy with a timeout. */
    public StepOptions withTimeout(Duration timeout) {
        return new StepOptions(retry, Optional.of(timeout), heartbeat, compensation, onFailure, window);
    }

    /** A copy with a heartbeat timeout. */
    public StepOptions withHeartbeat(Duration heartbeat) {
        return new StepOptions(retry, timeout, Optional.of(heartbeat), compensation, onFailure, window);
    }

    /** A copy with a compensation. */
    public StepOptions withCompensation(Compensation compensation) {
        return new StepOptions(retry, timeout, heartbeat, Optional.of(compensation), onFailure, window);
    }

    /** A copy with a failure action. */
    public StepOptions withOnFailure(FailureAction onFailure) {
        return new StepOptions(retry, timeout, heartbeat, compensation, Optional.of(onFailure), window);
    }

    /** A copy that runs only inside the batch window {@code window}. */
    public StepOptions withWindow(String window) {
        return new StepOptions(retry, timeout, heartbeat, compensation, onFailure, Optional.of(window));
    }

    /** These options, with every empty value taken from {@code defaults}. */
    public StepOptions orElse(StepOptions defaults) {
        return new StepOptions(
                retry.or(defaults::retry),
                timeout.or(defaults::timeout),
                heartbeat.or(defaults::heartbeat),
                compensation.or(defaults::compensation),
                onFailure.or(defaults::onFailure),
                window.or(defaults::window));
    }
}
