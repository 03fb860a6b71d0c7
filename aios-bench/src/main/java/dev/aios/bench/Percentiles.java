package dev.aios.bench;

import org.HdrHistogram.Histogram;

/**
 * A latency distribution in milliseconds.
 *
 * @param count how many samples
 * @param p50 the median
 * @param p99 the 99th percentile
 * @param max the largest sample
 */
record Percentiles(long count, double p50, double p99, double max) {

    /** Summarizes a histogram recorded in microseconds. */
    static Percentiles ofMicros(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return new Percentiles(0, 0, 0, 0);
        }
        return new Percentiles(
                micros.getTotalCount(),
                micros.getValueAtPercentile(50) / 1000.0,
                micros.getValueAtPercentile(99) / 1000.0,
                micros.getMaxValue() / 1000.0);
    }

    /** A histogram for microsecond samples up to one hour, three significant digits. */
    static Histogram micros() {
        return new Histogram(3_600_000_000L, 3);
    }

    /** The same distribution divided by {@code n}, e.g. a run's latency per step. */
    Percentiles dividedBy(int n) {
        return new Percentiles(count, p50 / n, p99 / n, max / n);
    }
}
