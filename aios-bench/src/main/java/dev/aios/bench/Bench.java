package dev.aios.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs every measurement in one process, so that the ratios compare like with like on the same
 * machine at about the same time: a short sizing run, the kernel under load until the JIT compiler
 * has gone quiet (a server's steady state, not its first seconds), then throughput at each level and
 * one run at a time, each right after its own per-commit SQLite baseline, then the per-commit and
 * batched baselines in interleaved slices.
 */
final class Bench {
    private final BenchOptions options;
    private final PrintStream progress;

    /** A benchmark that reports its progress, one line per measurement, to {@code progress}. */
    Bench(BenchOptions options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
    }

    Results run() throws Exception {
        var machine = Machine.describe(options.workDirectory());
        var load = new KernelLoad(options);
        var raw = new SqliteBaseline(options.workDirectory());

        var sizes = load.sizes();
        int payload = (int) Math.round(sizes.journalPayload());
        say("a journal entry's payload averages %d bytes", payload);
        var jit = load.settleJit(options.settleJit());
        if (!options.settleJit().isZero()) {
            say(
                    "the JIT %s after %d s with %d in flight (compiler CPU in the last second: %.0f ms)",
                    jit.settled() ? "went quiet" : "was still compiling",
                    jit.took().toSeconds(),
                    options.kernelConcurrency(),
                    jit.lastSecond());
        }

        var baselines = new ArrayList<Results.Baseline>();
        var throughput = new ArrayList<Results.Throughput>();
        for (int level : options.levels()) {
            var adjacent = baseline(raw.measure("before " + level + " in flight", 1, payload, options.baseline()));
            baselines.add(adjacent);
            var t = load.throughput(level, adjacent);
            say(
                    "throughput, %d in flight: %s runs/s, %s steps/s, %s journal entries/s",
                    level,
                    Report.rate(t.runsPerSecond()),
                    Report.rate(t.stepsPerSecond()),
                    Report.rate(t.entriesPerSecond()));
            throughput.add(t);
        }

        var adjacent = baseline(raw.measure("before one at a time", 1, payload, options.baseline()));
        baselines.add(adjacent);
        var latency = load.sequential(adjacent);
        say(
                "one run at a time: %d runs, step cycle p50 %.2f ms, p99 %.2f ms",
                latency.runs(), latency.cycle().p50(), latency.cycle().p99());

        baselines.addAll(interleaved(raw, payload));
        return new Results(machine, options, jit, throughput, latency, baselines, sizes);
    }

    /**
     * One, eight and 64 rows per commit, measured in turn in short slices, so that all three see the
     * same disk weather; each mode's slices are pooled.
     */
    private List<Results.Baseline> interleaved(SqliteBaseline raw, int payload) throws Exception {
        int[] modes = {1, 8, 64};
        int rounds = 3;
        long[] inserts = new long[modes.length];
        Duration[] elapsed = {Duration.ZERO, Duration.ZERO, Duration.ZERO};
        Duration slice = options.baseline().dividedBy(rounds);
        for (int round = 0; round < rounds; round++) {
            for (int m = 0; m < modes.length; m++) {
                var b = raw.measure("interleaved", modes[m], payload, slice);
                inserts[m] += b.inserts();
                elapsed[m] = elapsed[m].plus(b.elapsed());
            }
        }
        var out = new ArrayList<Results.Baseline>();
        for (int m = 0; m < modes.length; m++) {
            out.add(baseline(new Results.Baseline(
                    "interleaved with the other two (" + rounds + " rounds)",
                    modes[m],
                    inserts[m],
                    elapsed[m],
                    payload)));
        }
        return out;
    }

    private Results.Baseline baseline(Results.Baseline b) {
        say("SQLite baseline, %d rows per commit: %s inserts/s", b.perCommit(), Report.rate(b.insertsPerSecond()));
        return b;
    }

    private void say(String format, Object... args) {
        progress.println(String.format(Locale.ROOT, format, args));
    }
}
