package dev.aios.memory.internal;

import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;

/**
 * How far a rebuild of the index got, logged as it goes: a line when it starts (why, and how many
 * chunks), one at most every {@link #EVERY} with the rate and the time left, and one when it ends.
 */
final class RebuildProgress {
    /** The longest time between two progress lines. */
    static final Duration EVERY = Duration.ofSeconds(5);

    private final Logger log;
    private final String reason;
    private final long total;
    private final long started = System.nanoTime();
    private volatile long done;
    private long logged = started;
    private final boolean quiet;

    RebuildProgress(Logger log, String reason, long total) {
        this.log = log;
        this.reason = reason;
        this.total = total;
        // A new data directory has nothing to index: no news for the operator.
        this.quiet = total == 0;
        say(
                "memory index: rebuilding from the database ({}): {} chunks; searches wait until it is ready",
                reason,
                total);
    }

    String reason() {
        return reason;
    }

    long done() {
        return done;
    }

    /** The chunks to index: counted when the rebuild started, so chunks stored meanwhile may add a few. */
    long total() {
        return Math.max(total, done);
    }

    /** Counts {@code more} chunks indexed; logs a line when the last one is {@link #EVERY} ago. */
    void advanced(int more) {
        done += more;
        long now = System.nanoTime();
        if (now - logged >= EVERY.toNanos()) {
            logged = now;
            log.info("memory index: rebuilding ({}): {}", reason, line(done, total(), now - started));
        }
    }

    /** Logs the end of the rebuild. */
    void finished() {
        long elapsed = System.nanoTime() - started;
        say(
                "memory index: rebuilt from the database ({}): {} chunks in {} ({} chunks/s)",
                reason,
                done,
                seconds(elapsed),
                rate(done, elapsed));
    }

    /** Logs that the rebuild stopped before the end. */
    void stopped() {
        log.info(
                "memory index: rebuild ({}) stopped at {} of {} chunks as memory closes; the next start rebuilds it",
                reason,
                done,
                total());
    }

    private void say(String format, Object... arguments) {
        if (quiet) {
            log.debug(format, arguments);
        } else {
            log.info(format, arguments);
        }
    }

    /** {@code 41000 of 100000 chunks (41%), 2500 chunks/s, about 24 s left}. */
    static String line(long done, long total, long elapsedNanos) {
        var text = new StringBuilder().append(done).append(" of ").append(total).append(" chunks");
        if (total > 0) {
            text.append(" (").append(done * 100 / total).append("%)");
        }
        long rate = rate(done, elapsedNanos);
        text.append(", ").append(rate).append(" chunks/s");
        if (rate > 0 && done < total) {
            text.append(", about ").append(Math.ceilDiv(total - done, rate)).append(" s left");
        }
        return text.toString();
    }

    private static long rate(long done, long elapsedNanos) {
        return done * 1_000_000_000L / Math.max(elapsedNanos, 1_000_000L);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
