package dev.aios.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The regression guard of the kernel's write path: the process CPU time per step with 64 runs in
 * flight, against the figure recorded in {@code aios-bench/kernel-figures.tsv}. CPU time, not wall
 * time, since the machines it runs on are shared and noisy; measured once the JIT compiler has gone
 * quiet, since before that a step's CPU is mostly the compiler's; and the best of up to three windows,
 * since other processes only ever make a step look dearer (cache misses, a busy core), never cheaper.
 */
final class CpuCheck {
    /** Runs in flight for the guarded figure. */
    static final int LEVEL = 64;

    /** How far above the recorded figure a measurement may be before the check fails. */
    static final double TOLERANCE = 0.25;

    private static final int ATTEMPTS = 3;
    private static final String KEY = "process-cpu-us-per-step";

    private final BenchOptions options;
    private final Path figures;
    private final PrintStream out;

    CpuCheck(BenchOptions options, Path figures, PrintStream out) {
        this.options = options;
        this.figures = figures;
        this.out = out;
    }

    /** Where the figures are: next to the launcher when it says so, else in the working directory. */
    static Path figuresFile() {
        String home = System.getenv("AIOS_BENCH_HOME");
        return home == null || home.isBlank()
                ? Path.of("aios-bench", "kernel-figures.tsv")
                : Path.of(home, "kernel-figures.tsv");
    }

    /** Measures and compares; 0 when within the tolerance, 1 when above it. */
    int check() throws Exception {
        double recorded = recorded()
                .orElseThrow(() -> new IllegalStateException("no figure recorded in " + figures
                        + "; record one on a quiet machine with aios-bench/run --record"));
        double limit = recorded * (1 + TOLERANCE);
        double best = Double.MAX_VALUE;
        var load = new KernelLoad(options.withLevels(List.of(LEVEL)));
        load.settleJit(options.settleJit());
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            double micros = measure(load);
            best = Math.min(best, micros);
            say(
                    "window %d: %.0f µs of process CPU per step at %d in flight (recorded %.0f, limit %.0f)",
                    attempt, micros, LEVEL, recorded, limit);
            if (best <= limit) {
                say(
                        "check passed: %.0f µs per step is within %.0f%% of the recorded %.0f µs",
                        best, TOLERANCE * 100, recorded);
                return 0;
            }
        }
        say(
                "check FAILED: the best of %d windows, %.0f µs of process CPU per step at %d in flight, is %.0f%% above"
                        + " the %.0f µs recorded in %s (limit +%.0f%%). Profile a step (BENCHMARKS.md, \"Where the"
                        + " time goes\") to find what made it dearer; if the change is intended, record the new"
                        + " figure with aios-bench/run --record.",
                ATTEMPTS, best, LEVEL, (best / recorded - 1) * 100, recorded, figures, TOLERANCE * 100);
        return 1;
    }

    /** Measures and writes the figure into the file. */
    int record() throws Exception {
        var load = new KernelLoad(options.withLevels(List.of(LEVEL)));
        load.settleJit(options.settleJit());
        double best = Double.MAX_VALUE;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            best = Math.min(best, measure(load));
        }
        Files.writeString(figures, String.format(Locale.ROOT, """
                        # Process CPU microseconds per step with %d runs in flight (five-step no-op playbook, the
                        # best of %d windows once the JIT compiler went quiet), as recorded by aios-bench/run
                        # --record; aios-bench/run --check fails when a measurement is more than %.0f%% above it.
                        %s\t%d\t%.0f
                        """, LEVEL, ATTEMPTS, TOLERANCE * 100, KEY, LEVEL, best));
        say("recorded %.0f µs of process CPU per step at %d in flight in %s", best, LEVEL, figures);
        return 0;
    }

    private double measure(KernelLoad load) throws Exception {
        var none = new Results.Baseline("not measured", 1, 0, java.time.Duration.ofSeconds(1), 0);
        var t = load.throughput(LEVEL, none);
        return t.cpu().processMicrosPerStep();
    }

    /** The recorded figure, if the file holds one. */
    OptionalDouble recorded() throws IOException {
        if (!Files.exists(figures)) {
            return OptionalDouble.empty();
        }
        for (String line : Files.readAllLines(figures)) {
            var cells = line.split("\t");
            if (!line.startsWith("#")
                    && cells.length == 3
                    && cells[0].equals(KEY)
                    && cells[1].equals(Integer.toString(LEVEL))) {
                return OptionalDouble.of(Double.parseDouble(cells[2]));
            }
        }
        return OptionalDouble.empty();
    }

    private void say(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
    }
}
