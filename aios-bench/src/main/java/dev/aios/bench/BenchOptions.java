package dev.aios.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How long and how hard to measure.
 *
 * @param levels the numbers of runs kept in flight for the throughput measurement
 * @param settleJit how long, at most, the kernel runs before anything is measured, until the JIT
 *     compiler has gone quiet (zero: not at all)
 * @param warmup how long each level runs before it is measured
 * @param measure how long each level is measured
 * @param sequential how long runs are measured one at a time
 * @param baseline how long each raw SQLite baseline runs (one before each kernel measurement, and
 *     two batched ones at the end)
 * @param kernelConcurrency the kernel's step concurrency, the same for every level
 * @param workDirectory where the temporary data directories are created
 * @param quick whether this is a smoke run whose figures mean little
 */
record BenchOptions(
        List<Integer> levels,
        Duration settleJit,
        Duration warmup,
        Duration measure,
        Duration sequential,
        Duration baseline,
        int kernelConcurrency,
        Path workDirectory,
        boolean quick) {

    BenchOptions {
        levels = List.copyOf(levels);
        Objects.requireNonNull(settleJit, "settleJit");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(measure, "measure");
        Objects.requireNonNull(sequential, "sequential");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(workDirectory, "workDirectory");
        if (levels.isEmpty() || levels.stream().anyMatch(n -> n < 1 || n > 10_000)) {
            throw new IllegalArgumentException("levels must be 1 to 10000 runs in flight, were " + levels);
        }
        for (var d : List.of(measure, sequential, baseline)) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("measurement durations must be positive, was " + d);
            }
        }
        if (warmup.isNegative() || settleJit.isNegative()) {
            throw new IllegalArgumentException("warm-ups must not be negative, were " + settleJit + " and " + warmup);
        }
        if (kernelConcurrency < 1 || kernelConcurrency > 10_000) {
            throw new IllegalArgumentException("kernel concurrency must be 1 to 10000, was " + kernelConcurrency);
        }
    }

    /** The full run: about three minutes. */
    static BenchOptions full(Path workDirectory) {
        return new BenchOptions(
                List.of(1, 8, 64, 512),
                Duration.ofSeconds(90),
                Duration.ofSeconds(3),
                Duration.ofSeconds(10),
                Duration.ofSeconds(15),
                Duration.ofSeconds(3),
                64,
                workDirectory,
                false);
    }

    /** A smoke run of a few seconds: checks that everything works, measures little. */
    static BenchOptions quick(Path workDirectory) {
        return new BenchOptions(
                List.of(1, 8),
                Duration.ZERO,
                Duration.ofMillis(300),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofMillis(300),
                64,
                workDirectory,
                true);
    }

    /** A copy with other levels. */
    BenchOptions withLevels(List<Integer> levels) {
        return new BenchOptions(
                levels, settleJit, warmup, measure, sequential, baseline, kernelConcurrency, workDirectory, quick);
    }

    /** A copy measuring each level, the sequential runs and each baseline for {@code measure}. */
    BenchOptions withMeasure(Duration measure) {
        return new BenchOptions(
                levels, settleJit, warmup, measure, measure, measure, kernelConcurrency, workDirectory, quick);
    }

    /** A copy that lets the JIT settle for at most {@code settleJit} before measuring. */
    BenchOptions withSettleJit(Duration settleJit) {
        return new BenchOptions(
                levels, settleJit, warmup, measure, sequential, baseline, kernelConcurrency, workDirectory, quick);
    }

    /** A copy with another warm-up per level. */
    BenchOptions withWarmup(Duration warmup) {
        return new BenchOptions(
                levels, settleJit, warmup, measure, sequential, baseline, kernelConcurrency, workDirectory, quick);
    }
}
