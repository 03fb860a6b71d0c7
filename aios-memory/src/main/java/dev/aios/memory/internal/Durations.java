package dev.aios.memory.internal;

import java.time.Duration;

/** Durations in words for people: {@code 3 days}, {@code 5 hours}. */
final class Durations {
    private Durations() {}

    static String words(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return plural(seconds, "second");
        }
        if (seconds < 3_600) {
            return plural(seconds / 60, "minute");
        }
        if (seconds < 86_400) {
            return plural(seconds / 3_600, "hour");
        }
        return plural(seconds / 86_400, "day");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }
}
