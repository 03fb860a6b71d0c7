package dev.aios.kernel;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits, with a deadline, for something asynchronous to become true. */
public final class Eventually {
    private Eventually() {}

    /** Polls {@code value} until {@code done} accepts it or 15 seconds pass; returns the last value. */
    public static <T> T await(Supplier<T> value, java.util.function.Predicate<T> done) {
        return await(value, done, Duration.ofSeconds(15));
    }

    /** Polls {@code value} until {@code done} accepts it or {@code limit} passes; returns the last value. */
    public static <T> T await(Supplier<T> value, java.util.function.Predicate<T> done, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        T last = value.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting; last value: " + last);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            last = value.get();
        }
        return last;
    }
}
