package dev.aios.memory;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits, with a deadline, for something asynchronous to become true. */
final class Eventually {
    private Eventually() {}

    static void await(BooleanSupplier done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
