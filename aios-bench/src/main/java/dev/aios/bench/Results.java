package dev.aios.bench;

import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/** What one benchmark run measured, and how long the JIT was let settle before. */
record Results(
        Machine machine,
        BenchOptions options,
        KernelLoad.JitSettling jit,
        List<Throughput> throughput,
        Latency latency,
        List<Baseline> baselines,
        StoreProbe.Sizes sizes) {

    /**
     * Throughput with {@code inFlight} runs kept in flight.
     *
     * @param inFlight runs in flight
     * @param elapsed the measured window
     * @param delta what was completed and appended during the window
     * @param runLatency from sending the trigger event to the last step's agent call, per run
     * @param cpu the CPU time used during the window
     * @param adjacent the per-commit SQLite baseline measured right before
     */
    record Throughput(
            int inFlight,
            Duration elapsed,
            StoreProbe.Counts delta,
            Percentiles runLatency,
            CpuUse cpu,
            Baseline adjacent,
            long commits,
            long writeUnits) {
        double runsPerSecond() {
            return perSecond(delta.completedRuns(), elapsed);
        }

        double stepsPerSecond() {
            return perSecond(delta.completedSteps(), elapsed);
        }

        double entriesPerSecond() {
            return perSecond(delta.journalEntries(), elapsed);
        }

        /** Durable transactions per second: each one fsync. */
        double commitsPerSecond() {
            return perSecond(commits, elapsed);
        }

        /** Units of work sharing one transaction, on average: what group commit buys. */
        double unitsPerCommit() {
            return commits == 0 ? 0 : (double) writeUnits / commits;
        }
    }

    /**
     * One run at a time, back to back.
     *
     * @param runs runs measured
     * @param cycle from one step's agent call to the next step's agent call in the same run (client
     *     clock): the full cost of moving a run one step on
     * @param step a step from being scheduled to its completion being recorded (journal timestamps,
     *     whose attempt and end times have 1 ms resolution)
     * @param first from sending the trigger event to the first step's agent call
     * @param last from the last step's agent call to seeing the run durably completed
     * @param run from sending the trigger event to seeing the run durably completed
     * @param entriesPerRun journal entries one run appends
     * @param cpu the CPU time used while the runs were measured (including the cheap polling that
     *     notices a run's completion)
     * @param adjacent the per-commit SQLite baseline measured right before
     */
    record Latency(
            long runs,
            Percentiles cycle,
            Percentiles step,
            Percentiles first,
            Percentiles last,
            Percentiles run,
            double entriesPerRun,
            CpuUse cpu,
            Baseline adjacent) {}

    /**
     * CPU time spent over a window in which {@code steps} steps completed.
     *
     * @param before the CPU clocks when the window opened
     * @param after the CPU clocks when it closed
     * @param steps steps completed in the window
     * @param elapsed the window's wall-clock length
     */
    record CpuUse(CpuClock.Reading before, CpuClock.Reading after, long steps, Duration elapsed) {

        /** Process CPU microseconds per step (every thread, the benchmark's drivers included). */
        double processMicrosPerStep() {
            return (after.process() - before.process()) / 1000.0 / Math.max(1, steps);
        }

        /** The kernel writer thread's CPU microseconds per step, if the thread was found. */
        OptionalDouble writerMicrosPerStep() {
            var nanos = writerNanos();
            return nanos.isEmpty()
                    ? OptionalDouble.empty()
                    : OptionalDouble.of(nanos.getAsLong() / 1000.0 / Math.max(1, steps));
        }

        /** The share of the window the writer thread spent on a CPU, 0 to 1, if it was found. */
        OptionalDouble writerBusy() {
            var nanos = writerNanos();
            return nanos.isEmpty()
                    ? OptionalDouble.empty()
                    : OptionalDouble.of((double) nanos.getAsLong() / Math.max(1, elapsed.toNanos()));
        }

        /**
         * The JIT compiler's CPU microseconds per step, where the system shows its threads: included in
         * the process figure; well above zero, the window measured a JVM still compiling the kernel.
         */
        OptionalDouble jitMicrosPerStep() {
            if (before.jit().isEmpty() || after.jit().isEmpty()) {
                return OptionalDouble.empty();
            }
            long nanos = Math.max(0, after.jit().getAsLong() - before.jit().getAsLong());
            return OptionalDouble.of(nanos / 1000.0 / Math.max(1, steps));
        }

        private OptionalLong writerNanos() {
            if (before.writer().isEmpty() || after.writer().isEmpty()) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(after.writer().getAsLong() - before.writer().getAsLong());
        }
    }

    /**
     * Raw inserts of journal-sized rows through JDBC.
     *
     * @param when when it ran, e.g. "before 8 in flight"
     * @param perCommit inserts per transaction (1 = one fsync per insert)
     * @param inserts rows inserted
     * @param elapsed how long it took
     * @param payloadBytes the payload size of each row
     */
    record Baseline(String when, int perCommit, long inserts, Duration elapsed, int payloadBytes) {
        double insertsPerSecond() {
            return perSecond(inserts, elapsed);
        }

        double commitsPerSecond() {
            return insertsPerSecond() / perCommit;
        }
    }

    /**
     * The baseline with one insert per commit, the cost of one durable write: every such measurement
     * pooled, so that drift on a shared machine is averaged.
     */
    Baseline perInsertCommit() {
        var single = baselines.stream().filter(b -> b.perCommit() == 1).toList();
        if (single.isEmpty()) {
            throw new IllegalStateException("no per-insert baseline was measured");
        }
        return new Baseline(
                "pooled",
                1,
                single.stream().mapToLong(Baseline::inserts).sum(),
                single.stream().map(Baseline::elapsed).reduce(Duration.ZERO, Duration::plus),
                single.getFirst().payloadBytes());
    }

    static double perSecond(long count, Duration elapsed) {
        return elapsed.isZero() ? 0 : count * 1_000_000_000.0 / elapsed.toNanos();
    }
}
