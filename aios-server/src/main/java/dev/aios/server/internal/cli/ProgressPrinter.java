package dev.aios.server.internal.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;

/**
 * Progress of long work on standard error: on a terminal one bar redrawn in place with the rate and
 * the time left; otherwise (a log, a pipe, CI) plain lines, at most one every few seconds, so a
 * script's output stays readable. Standard output keeps only the result.
 */
final class ProgressPrinter implements AutoCloseable {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String what;
    private final Unit unit;
    private final boolean terminal;
    private final InstantSource clock;
    private final Instant started;
    private final Duration every;
    private Instant printed = Instant.MIN;
    private long done;
    private long total;
    private boolean drawn;
    private long shown = -1;

    /** What is counted: items or bytes. */
    enum Unit {
        ITEMS,
        BYTES
    }

    ProgressPrinter(PrintWriter err, String what, Unit unit, boolean terminal, InstantSource clock) {
        this.err = err;
        this.what = what;
        this.unit = unit;
        this.terminal = terminal;
        this.clock = clock;
        this.started = clock.instant();
        this.every = terminal ? Duration.ofMillis(200) : Duration.ofSeconds(5);
    }

    /** A printer for the CLI: a bar when standard error is a terminal, else plain lines. */
    static ProgressPrinter forCli(PrintWriter err, String what, Unit unit, Map<String, String> environment) {
        var term = environment.getOrDefault("TERM", "");
        boolean terminal = System.console() != null && !term.isEmpty() && !term.equals("dumb");
        return new ProgressPrinter(err, what, unit, terminal, InstantSource.system());
    }

    /** Reports that {@code done} of {@code total} are done ({@code total} 0 when unknown). */
    synchronized void advanced(long done, long total) {
        this.done = done;
        this.total = total;
        var now = clock.instant();
        if (Duration.between(printed, now).compareTo(every) >= 0) {
            printed = now;
            print(now, false);
        }
    }

    /** The line for {@code done} of {@code total} after {@code elapsed}, as shown off a terminal. */
    String line(long done, long total, Duration elapsed) {
        var text = new StringBuilder(what).append(": ").append(amount(done));
        if (total > 0) {
            text.append(" of ")
                    .append(amount(total))
                    .append(" (")
                    .append(done * 100 / total)
                    .append("%)");
        }
        double seconds = Math.max(elapsed.toMillis(), 1) / 1000.0;
        double rate = done / seconds;
        text.append(", ").append(amount((long) rate)).append("/s");
        if (total > 0 && done < total && rate > 0) {
            text.append(", ")
                    .append(duration(Duration.ofSeconds((long) Math.ceil((total - done) / rate))))
                    .append(" left");
        }
        return text.toString();
    }

    private void print(Instant now, boolean last) {
        shown = done;
        var line = line(done, total, Duration.between(started, now));
        if (terminal) {
            var bar = new StringBuilder("[");
            int filled = total > 0 ? (int) Math.min(WIDTH, done * WIDTH / total) : 0;
            bar.append("=".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ");
            err.print("\r" + bar + line + "\u001b[K" + (last ? "\n" : ""));
            drawn = !last;
        } else {
            err.println(line);
        }
        err.flush();
    }

    @Override
    public synchronized void close() {
        if (terminal ? drawn : done != shown) {
            print(clock.instant(), true);
        }
    }

    private String amount(long n) {
        return switch (unit) {
            case ITEMS -> Long.toString(n);
            case BYTES -> bytes(n);
        };
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        var units = "KMGT";
        double value = n;
        int i = -1;
        while (value >= 1024 && i < units.length() - 1) {
            value /= 1024;
            i++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %siB", value, units.charAt(i));
    }

    static String duration(Duration d) {
        long s = d.toSeconds();
        return s >= 3600
                ? "%dh%02dm".formatted(s / 3600, s % 3600 / 60)
                : s >= 60 ? "%dm%02ds".formatted(s / 60, s % 60) : s + "s";
    }
}
