package dev.aios.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchTest {
    @TempDir
    Path dir;

    @Test
    void aQuickRunMeasuresEveryLevelTheSequentialRunsAndTheBaseline() throws Exception {
        var options = BenchOptions.quick(dir.resolve("work"))
                .withLevels(List.of(1, 4))
                .withWarmup(Duration.ofMillis(100))
                // Long enough for runs to complete at every level on a loaded machine.
                .withMeasure(Duration.ofSeconds(3));

        var results = new Bench(options, new PrintStream(OutputStream.nullOutputStream())).run();

        assertThat(results.throughput())
                .extracting(Results.Throughput::inFlight)
                .containsExactly(1, 4);
        assertThat(results.throughput()).allSatisfy(t -> {
            assertThat(t.delta().completedRuns()).isPositive();
            // Every run has five steps, and every step appends more than one entry.
            assertThat(t.delta().completedSteps())
                    .isGreaterThanOrEqualTo(t.delta().completedRuns() * 4);
            assertThat(t.delta().journalEntries()).isGreaterThan(t.delta().completedSteps());
            assertThat(t.runLatency().p50()).isPositive();
            assertThat(t.cpu().processMicrosPerStep()).isPositive();
            // Found by its thread name: if the kernel renames its writer, CpuClock must follow.
            assertThat(t.cpu().writerMicrosPerStep()).isPresent();
            assertThat(t.cpu().writerMicrosPerStep().getAsDouble()).isPositive();
            // The compiler's threads are read from /proc, where there is one.
            assertThat(t.cpu().jitMicrosPerStep().isPresent()).isEqualTo(Files.isDirectory(Path.of("/proc/self/task")));
        });
        var latency = results.latency();
        assertThat(latency.runs()).isPositive();
        assertThat(latency.step().count()).isEqualTo(latency.runs() * FiveStepPlaybook.STEPS);
        assertThat(latency.cycle().count()).isEqualTo(latency.runs() * (FiveStepPlaybook.STEPS - 1));
        assertThat(latency.cycle().p50()).isPositive();
        // A run takes at least its four step-to-step cycles.
        assertThat(latency.run().max()).isGreaterThanOrEqualTo(latency.cycle().p50() * 4);
        assertThat(latency.entriesPerRun()).isGreaterThan(FiveStepPlaybook.STEPS * 2);
        assertThat(latency.cpu().steps()).isEqualTo(latency.runs() * FiveStepPlaybook.STEPS);
        assertThat(latency.cpu().writerBusy().orElseThrow()).isBetween(0.0, 1.0);
        assertThat(results.sizes().journalPayload()).isBetween(50.0, 5000.0);
        assertThat(results.baselines()).extracting(Results.Baseline::perCommit).containsExactly(1, 1, 1, 1, 8, 64);
        assertThat(results.baselines())
                .allSatisfy(b -> assertThat(b.insertsPerSecond()).isPositive());
        // No leftover databases.
        assertThat(Files.list(dir.resolve("work")).toList()).isEmpty();

        String markdown = Report.markdown(results, "aios-bench/run --quick", "0.1 0.1 0.1");
        assertThat(markdown)
                .contains("| 1 | ", "| 4 | ", "aios-bench/run --quick", "quick smoke run", "before 4 in flight")
                .contains("The JIT was not let settle first")
                .doesNotContain("NaN", "Infinity");
    }

    @Test
    void theJitIsLetSettleNoLongerThanAllowed() throws Exception {
        var options = BenchOptions.quick(dir.resolve("work"));
        var load = new KernelLoad(options);

        var none = load.settleJit(Duration.ZERO);
        assertThat(none.took()).isZero();
        assertThat(none.settled()).isFalse();

        // Settled takes three quiet seconds running: two seconds cannot be enough.
        var two = load.settleJit(Duration.ofSeconds(2));
        assertThat(two.settled()).isFalse();
        assertThat(two.took()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(30));
        if (Files.isDirectory(Path.of("/proc/self/task"))) {
            assertThat(two.lastSecond())
                    .as("the compiler's CPU in the last second, ms")
                    .isNotNegative();
        }
        assertThat(Files.list(dir.resolve("work")).toList()).isEmpty();
    }

    @Test
    void writingTheReportReplacesOnlyTheGeneratedSection() throws Exception {
        Path file = dir.resolve("BENCHMARKS.md");
        Files.writeString(file, "# Benchmarks\n\nWritten by hand.\n");

        Report.write(file, "## Latest run\n\nfirst\n");
        Report.write(file, "## Latest run\n\nsecond\n");
        Files.writeString(file, Files.readString(file) + "\n## Analysis\n\nAlso by hand.\n");
        Report.write(file, "## Latest run\n\nthird\n");

        String text = Files.readString(file);
        assertThat(text).startsWith("# Benchmarks\n\nWritten by hand.\n");
        assertThat(text).contains("third", "## Analysis\n\nAlso by hand.").doesNotContain("first", "second");
        assertThat(text.split(java.util.regex.Pattern.quote(Report.BEGIN), -1)).hasSize(2);
    }

    @Test
    void aMissingReportFileIsCreated() throws Exception {
        Path file = dir.resolve("new.md");
        Report.write(file, "## Latest run\n");
        assertThat(Files.readString(file)).startsWith("# Benchmarks").contains(Report.BEGIN, Report.END);
    }

    @Test
    void theCpuCheckFailsAboveTheRecordedFigureAndPassesWithinIt() throws Exception {
        var options = BenchOptions.quick(dir.resolve("work"))
                .withWarmup(Duration.ofMillis(100))
                .withMeasure(Duration.ofSeconds(1));
        Path figures = dir.resolve("kernel-figures.tsv");
        var quiet = new PrintStream(OutputStream.nullOutputStream());

        assertThatThrownBy(() -> new CpuCheck(options, figures, quiet).check())
                .hasMessageContaining("no figure recorded")
                .hasMessageContaining("--record");

        assertThat(new CpuCheck(options, figures, quiet).record()).isZero();
        double recorded = new CpuCheck(options, figures, quiet).recorded().orElseThrow();
        assertThat(recorded).isPositive();
        assertThat(Files.readString(figures)).contains("process-cpu-us-per-step\t64\t");

        Files.writeString(figures, "process-cpu-us-per-step\t64\t1\n");
        var out = new java.io.ByteArrayOutputStream();
        assertThat(new CpuCheck(options, figures, new PrintStream(out, true)).check())
                .as("a step costs more than 1.25 µs of CPU")
                .isEqualTo(1);
        assertThat(out.toString()).contains("check FAILED", "above the 1 µs recorded");

        Files.writeString(figures, "process-cpu-us-per-step\t64\t1000000000\n");
        assertThat(new CpuCheck(options, figures, quiet).check()).isZero();
    }

    @Test
    void badArgumentsAreRefusedWithAClearMessage() {
        assertThatThrownBy(() -> Main.Arguments.parse("--levels", "1,0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--levels must be positive");
        assertThatThrownBy(() -> Main.Arguments.parse("--fast"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown option '--fast'");
        var parsed = Main.Arguments.parse("--quick", "--levels", "2,3", "--write", "out.md");
        assertThat(parsed.options().quick()).isTrue();
        assertThat(parsed.options().levels()).containsExactly(2, 3);
        assertThat(parsed.write()).contains(Path.of("out.md"));
        assertThat(Main.Arguments.parse("--check").guard()).isEqualTo(Main.Guard.CHECK);
        var warm = Main.Arguments.parse("--warmup", "5", "--settle-jit", "0").options();
        assertThat(warm.warmup()).isEqualTo(Duration.ofSeconds(5));
        assertThat(warm.settleJit()).isZero();
        assertThat(Main.Arguments.parse().options().settleJit()).isPositive();
        assertThatThrownBy(() -> Main.Arguments.parse("--settle-jit", "-1"))
                .hasMessageContaining("--settle-jit must be 0 or more");
        assertThatThrownBy(() -> Main.Arguments.parse("--check", "--record")).hasMessageContaining("pick one");
        assertThatThrownBy(() -> Main.Arguments.parse("--check", "--levels", "8"))
                .hasMessageContaining("64 runs in flight only");
    }
}
