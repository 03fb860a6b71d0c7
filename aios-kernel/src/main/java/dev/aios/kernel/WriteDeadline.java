package dev.aios.kernel;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A limit on how long the kernel calls of the current thread may wait for the database, for a
 * server answering a request: a change that cannot be written in time is not written at all, and
 * the call fails with a {@link StorageException} saying so (HTTP 503), instead of the request
 * hanging. Threads without a deadline wait as long as it takes.
 *
 * <pre>{@code
 * WriteDeadline.begin(Duration.ofSeconds(10));
 * try {
 *     kernel.send(event);
 * } finally {
 *     WriteDeadline.end();
 * }
 * }</pre>
 */
public final class WriteDeadline {
    private static final ThreadLocal<Limit> CURRENT = new ThreadLocal<>();

    /** When the current limit ends, on the {@link System#nanoTime} scale, and how long it was. */
    private record Limit(long endsAt, Duration length) {}

    private WriteDeadline() {}

    /** Sets a limit of {@code length} from now for the current thread's writes. */
    public static void begin(Duration length) {
        Objects.requireNonNull(length, "length");
        CURRENT.set(new Limit(System.nanoTime() + length.toNanos(), length));
    }

    /** Removes the current thread's limit. */
    public static void end() {
        CURRENT.remove();
    }

    /** How long the current thread's writes may still wait, if they are limited. */
    public static Optional<Duration> remaining() {
        var limit = CURRENT.get();
        return limit == null
                ? Optional.empty()
                : Optional.of(Duration.ofNanos(Math.max(0, limit.endsAt() - System.nanoTime())));
    }

    /** The length of the current thread's limit, if it has one, for messages. */
    public static Optional<Duration> length() {
        return Optional.ofNullable(CURRENT.get()).map(Limit::length);
    }

    /** Whether the current thread has a limit and it has passed. */
    public static boolean passed() {
        var limit = CURRENT.get();
        return limit != null && limit.endsAt() - System.nanoTime() <= 0;
    }

    /**
     * Runs {@code work} without the limit, then puts it back: for what follows a change that was
     * recorded already and must not be undone by the limit (it checks {@link #passed()} itself).
     */
    public static <T> T suspended(Supplier<T> work) {
        var limit = CURRENT.get();
        CURRENT.remove();
        try {
            return work.get();
        } finally {
            if (limit != null) {
                CURRENT.set(limit);
            }
        }
    }
}
