package dev.aios.server.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ProgressPrinterTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-05-01T10:00:00Z"));
    private final InstantSource clock = now::get;
    private final StringWriter out = new StringWriter();

    private void advance(Duration d) {
        now.set(now.get().plus(d));
    }

    @Test
    void offATerminalItPrintsPlainLinesWithRateAndTimeLeftAtMostEveryFewSeconds() {
        try (var progress =
                new ProgressPrinter(new PrintWriter(out), "import", ProgressPrinter.Unit.ITEMS, false, clock)) {
            progress.advanced(0, 1000);
            advance(Duration.ofSeconds(1));
            progress.advanced(100, 1000);
            advance(Duration.ofSeconds(4));
            progress.advanced(500, 1000);
            advance(Duration.ofSeconds(5));
            progress.advanced(1000, 1000);
        }
        assertThat(out.toString().lines())
                .containsExactly(
                        "import: 0 of 1000 (0%), 0/s",
                        "import: 500 of 1000 (50%), 100/s, 5s left", "import: 1000 of 1000 (100%), 100/s");
        assertThat(out.toString()).doesNotContain("\r", "\u001b");
    }

    @Test
    void onATerminalItRedrawsOneBarAndEndsTheLine() {
        try (var progress =
                new ProgressPrinter(new PrintWriter(out), "backup", ProgressPrinter.Unit.BYTES, true, clock)) {
            progress.advanced(0, 4L << 20);
            advance(Duration.ofSeconds(2));
            progress.advanced(2L << 20, 4L << 20);
        }
        var text = out.toString();
        assertThat(text).startsWith("\r[").endsWith("\n");
        assertThat(text).contains("backup: 2.0 MiB of 4.0 MiB (50%), 1.0 MiB/s, 2s left");
        assertThat(text.chars().filter(c -> c == '\n').count()).isEqualTo(1);
    }

    @Test
    void durationsAndSizesReadAsAPersonWouldWriteThem() {
        assertThat(ProgressPrinter.duration(Duration.ofSeconds(59))).isEqualTo("59s");
        assertThat(ProgressPrinter.duration(Duration.ofSeconds(61))).isEqualTo("1m01s");
        assertThat(ProgressPrinter.duration(Duration.ofMinutes(125))).isEqualTo("2h05m");
        assertThat(ProgressPrinter.bytes(512)).isEqualTo("512 B");
        assertThat(ProgressPrinter.bytes(3L << 30)).isEqualTo("3.0 GiB");
    }
}
