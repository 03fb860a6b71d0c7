package dev.aios.bench;

import dev.aios.kernel.Kernel;
import dev.aios.kernel.StepView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives a real kernel on a fresh data directory with the {@link FiveStepPlaybook}.
 *
 * <p>Throughput is measured closed-loop: {@code n} drivers each send a trigger event, wait until
 * their run reaches its last step, and send the next one, so that {@code n} runs are in flight at
 * every moment. What was done is counted in the database itself (completed runs, completed steps,
 * journal entries) at the start and the end of a fixed window after a warm-up, so the figures do not
 * depend on when the drivers notice anything.
 */
final class KernelLoad {
    /** The longest a single run may take before the benchmark gives up on the kernel. */
    private static final Duration STALLED = Duration.ofSeconds(60);

    private final BenchOptions options;

    KernelLoad(BenchOptions options) {
        this.options = options;
    }

    /**
     * Keeps {@code inFlight} runs in flight for the warm-up and the measured window; {@code adjacent}
     * is the baseline measured right before, reported with it.
     */
    Results.Throughput throughput(int inFlight, Results.Baseline adjacent) throws Exception {
        return withKernel((kernel, workload, probe) -> {
            var latency = new Recorder(3_600_000_000L, 3);
            var failure = new AtomicReference<Throwable>();
            StoreProbe.Snapshot before;
            StoreProbe.Snapshot after;
            CpuClock.Reading cpuBefore;
            CpuClock.Reading cpuAfter;
            dev.aios.kernel.Overview writesBefore;
            dev.aios.kernel.Overview writesAfter;
            var drivers = Executors.newVirtualThreadPerTaskExecutor();
            try {
                for (int i = 0; i < inFlight; i++) {
                    drivers.execute(() -> drive(kernel, workload, latency, failure));
                }
                sleep(options.warmup(), failure);
                writesBefore = kernel.overview();
                cpuBefore = CpuClock.now();
                before = probe.counts();
                latency.reset();
                sleep(options.measure(), failure);
                after = probe.counts();
                cpuAfter = CpuClock.now();
                writesAfter = kernel.overview();
            } finally {
                drivers.shutdownNow();
                drivers.awaitTermination(30, TimeUnit.SECONDS);
            }
            Histogram runs = latency.getIntervalHistogram();
            var delta = after.counts().minus(before.counts());
            var elapsed = Duration.ofNanos(after.atNanos() - before.atNanos());
            return new Results.Throughput(
                    inFlight,
                    elapsed,
                    delta,
                    Percentiles.ofMicros(runs),
                    new Results.CpuUse(cpuBefore, cpuAfter, delta.completedSteps(), elapsed),
                    adjacent,
                    writesAfter.commits() - writesBefore.commits(),
                    writesAfter.writeUnits() - writesBefore.writeUnits());
        });
    }

    /**
     * Runs one run at a time, each started once the one before is durably completed, and times the
     * steps with the client's clock (from the agent calls) and with the journal's timestamps.
     */
    Results.Latency sequential(Results.Baseline adjacent) throws Exception {
        return withKernel((kernel, workload, probe) -> {
            long warmUntil = System.nanoTime() + options.warmup().toNanos();
            while (System.nanoTime() < warmUntil) {
                runToCompletion(kernel, workload, probe);
            }
            var cycle = Percentiles.micros();
            var first = Percentiles.micros();
            var last = Percentiles.micros();
            var run = Percentiles.micros();
            var runIds = new ArrayList<String>();
            var cpuBefore = CpuClock.now();
            long started = System.nanoTime();
            long until = started + options.sequential().toNanos();
            while (System.nanoTime() < until) {
                long sent = System.nanoTime();
                var done = runToCompletion(kernel, workload, probe);
                long completed = System.nanoTime();
                long[] calls = done.agentCalls();
                for (int i = 1; i < calls.length; i++) {
                    cycle.recordValue((calls[i] - calls[i - 1]) / 1000);
                }
                first.recordValue((calls[0] - sent) / 1000);
                last.recordValue((completed - calls[calls.length - 1]) / 1000);
                run.recordValue((completed - sent) / 1000);
                runIds.add(done.runId());
            }
            var cpu = new Results.CpuUse(
                    cpuBefore,
                    CpuClock.now(),
                    (long) runIds.size() * FiveStepPlaybook.STEPS,
                    Duration.ofNanos(System.nanoTime() - started));
            var step = Percentiles.micros();
            long entries = 0;
            for (String id : runIds) {
                var view = kernel.run(id);
                entries += view.journalEntries();
                for (StepView s : view.steps()) {
                    step.recordValue(micros(s.scheduledAt(), s.endedAt().orElseThrow()));
                }
            }
            return new Results.Latency(
                    runIds.size(),
                    Percentiles.ofMicros(cycle),
                    Percentiles.ofMicros(step),
                    Percentiles.ofMicros(first),
                    Percentiles.ofMicros(last),
                    Percentiles.ofMicros(run),
                    runIds.isEmpty() ? 0 : (double) entries / runIds.size(),
                    cpu,
                    adjacent);
        });
    }

    /**
     * How the JIT was let settle before anything was measured.
     *
     * @param took how long the kernel ran with runs in flight for it
     * @param lastSecond the compiler threads' CPU in the last second of it, milliseconds (-1: unknown)
     * @param settled whether the compiler went quiet before the time allowed ran out
     */
    record JitSettling(Duration took, double lastSecond, boolean settled) {}

    /** The compiler counts as settled once it used less than this much CPU a second, three seconds running. */
    static final Duration QUIET_JIT = Duration.ofMillis(50);

    private static final int QUIET_SECONDS = 3;

    /**
     * Keeps as many runs in flight as the kernel runs at once until the JIT compiler has gone quiet, at
     * most {@code atMost}: a JVM's first tens of seconds spend as much CPU compiling the kernel as
     * running it, so a level measured before that measures the compiler. Without the compiler's CPU to
     * watch (not Linux), it runs for {@code atMost}.
     */
    JitSettling settleJit(Duration atMost) throws Exception {
        if (atMost.isZero()) {
            return new JitSettling(Duration.ZERO, -1, false);
        }
        return withKernel((kernel, workload, probe) -> {
            var failure = new AtomicReference<Throwable>();
            var drivers = Executors.newVirtualThreadPerTaskExecutor();
            try {
                for (int i = 0; i < options.kernelConcurrency(); i++) {
                    drivers.execute(() -> drive(kernel, workload, new Recorder(3_600_000_000L, 3), failure));
                }
                return awaitQuietJit(atMost, failure);
            } finally {
                drivers.shutdownNow();
                drivers.awaitTermination(30, TimeUnit.SECONDS);
            }
        });
    }

    /**
     * Waits, while drivers keep a kernel busy, until the JIT compiler has gone quiet, at most {@code
     * atMost}; throws when a driver failed ({@code failure}).
     */
    static JitSettling awaitQuietJit(Duration atMost, AtomicReference<Throwable> failure) throws InterruptedException {
        long started = System.nanoTime();
        long until = started + atMost.toNanos();
        double lastSecond = -1;
        int quiet = 0;
        var before = CpuClock.jitCpu();
        while (System.nanoTime() < until && quiet < QUIET_SECONDS) {
            sleep(Duration.ofSeconds(1), failure);
            var now = CpuClock.jitCpu();
            if (before.isPresent() && now.isPresent()) {
                lastSecond = (now.getAsLong() - before.getAsLong()) / 1e6;
                quiet = lastSecond < QUIET_JIT.toMillis() ? quiet + 1 : 0;
            }
            before = now;
        }
        return new JitSettling(Duration.ofNanos(System.nanoTime() - started), lastSecond, quiet >= QUIET_SECONDS);
    }

    /** Average stored sizes after a short closed-loop run, for sizing the baseline's rows. */
    StoreProbe.Sizes sizes() throws Exception {
        return withKernel((kernel, workload, probe) -> {
            for (int i = 0; i < 20; i++) {
                runToCompletion(kernel, workload, probe);
            }
            return probe.sizes();
        });
    }

    private void drive(Kernel kernel, FiveStepPlaybook workload, Recorder latency, AtomicReference<Throwable> failure) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                long start = System.nanoTime();
                String runId = kernel.send(workload.trigger()).started().getFirst();
                workload.lastStepReached(runId).get(STALLED.toSeconds(), TimeUnit.SECONDS);
                latency.recordValue((System.nanoTime() - start) / 1000);
                workload.forget(runId);
            } catch (InterruptedException e) {
                return;
            } catch (TimeoutException e) {
                failure.compareAndSet(null, new IllegalStateException("a run did not finish within " + STALLED, e));
                return;
            } catch (ExecutionException | RuntimeException e) {
                // Once the window is over the drivers are interrupted, which may surface as a storage error.
                if (!Thread.currentThread().isInterrupted()) {
                    failure.compareAndSet(null, e);
                }
                return;
            }
        }
    }

    /** A run that completed, with the {@link System#nanoTime()} of each of its agent calls. */
    private record Completed(String runId, long[] agentCalls) {}

    private static Completed runToCompletion(Kernel kernel, FiveStepPlaybook workload, StoreProbe probe)
            throws Exception {
        String runId = kernel.send(workload.trigger()).started().getFirst();
        long[] calls = workload.lastStepReached(runId).get(STALLED.toSeconds(), TimeUnit.SECONDS);
        workload.forget(runId);
        // The last step's agent ran; its completion is one commit away. Poll cheaply until it is durable.
        long deadline = System.nanoTime() + STALLED.toNanos();
        while (!probe.completed(runId)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("run " + runId + " reached its last step but did not complete");
            }
            LockSupport.parkNanos(50_000);
        }
        return new Completed(runId, calls);
    }

    @FunctionalInterface
    private interface Phase<T> {
        T run(Kernel kernel, FiveStepPlaybook workload, StoreProbe probe) throws Exception;
    }

    /** Runs {@code phase} against a kernel on a fresh temporary data directory, deleted afterwards. */
    private <T> T withKernel(Phase<T> phase) throws Exception {
        Files.createDirectories(options.workDirectory());
        Path dir = Files.createTempDirectory(options.workDirectory(), "aios-bench-");
        try {
            var workload = new FiveStepPlaybook();
            Path data = dir.resolve("data");
            try (var kernel = Kernel.builder()
                    .dataDirectory(data)
                    .agent(workload.agent())
                    .playbook(FiveStepPlaybook.playbook())
                    .concurrency(options.kernelConcurrency())
                    .build()) {
                kernel.start();
                try (var probe = StoreProbe.open(data)) {
                    return phase.run(kernel, workload, probe);
                }
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static void sleep(Duration duration, AtomicReference<Throwable> failure) throws InterruptedException {
        long until = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < until) {
            if (failure.get() != null) {
                throw new IllegalStateException("a driver failed: " + failure.get(), failure.get());
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(until - System.nanoTime(), 50_000_000L));
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a driver failed: " + failure.get(), failure.get());
        }
    }

    private static long micros(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toNanos() / 1000);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
