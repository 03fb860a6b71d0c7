package dev.aios.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Bounded polling: asks for a value until it satisfies a condition or a deadline passes, instead of
 * sleeping for a fixed time and hoping. A supplier that throws counts as "not yet" (a server that is
 * restarting refuses connections); the last value or failure is named when the deadline passes.
 */
public final class Poll {
    private static final Duration FIRST_PAUSE = Duration.ofMillis(10);
    private static final Duration LONGEST_PAUSE = Duration.ofMillis(200);

    private Poll() {}

    /**
     * Asks {@code supplier} until its value satisfies {@code condition}, and returns that value.
     *
     * @param description what is awaited, as the failure message should name it, e.g. "run r-1 to
     *     complete"
     * @throws AssertionError after {@code timeout}, naming {@code description} and the last value
     *     seen (or the last failure, as the cause)
     */
    public static <T> T until(
            String description, Supplier<? extends T> supplier, Predicate<? super T> condition, Duration timeout) {
        return until(description, supplier, condition, timeout, () -> "");
    }

    /**
     * Like {@link #until(String, Supplier, Predicate, Duration)}, and on timeout adds what {@code
     * diagnostics} says (e.g. the tail of a server's log) to the failure message.
     */
    public static <T> T until(
            String description,
            Supplier<? extends T> supplier,
            Predicate<? super T> condition,
            Duration timeout,
            Supplier<String> diagnostics) {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(supplier, "supplier");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(diagnostics, "diagnostics");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        var pause = FIRST_PAUSE;
        int attempts = 0;
        String last = "none yet";
        Throwable lastFailure = null;
        while (true) {
            attempts++;
            try {
                T value = supplier.get();
                if (condition.test(value)) {
                    return value;
                }
                last = "last value: " + value;
                lastFailure = null;
            } catch (RuntimeException | AssertionError e) {
                last = "last attempt failed: " + e;
                lastFailure = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            pause(Math.min(pause.toNanos(), left), description);
            pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        }
        var elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
        var extra = diagnostics.get();
        var error = new AssertionError("waited " + elapsed + " ms (" + attempts + " attempts) for " + description
                + " in vain; " + last + (extra.isBlank() ? "" : "\n" + extra));
        if (lastFailure != null) {
            error.initCause(lastFailure);
        }
        throw error;
    }

    private static void pause(long nanos, String description) {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + description, e);
        }
    }
}
