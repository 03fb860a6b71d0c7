package dev.aios.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The benchmark's command line: measures, prints a Markdown report to standard output and, with
 * {@code --write FILE}, updates the generated section of that file. Run it with {@code
 * aios-bench/run}.
 */
public final class Main {
    private static final String USAGE = """
            usage: aios-bench/run [--quick] [--write FILE] [--dir DIR] [--levels 1,8,64] [--seconds N]
                   aios-bench/run --check | --record [--dir DIR] [--seconds N]
                   aios-bench/run recall [--quick] [--check] [--record] [--write FILE] ...   (recall --help)
                   aios-bench/run postgres [--db URL] [--nodes 1,2] [--quick] [--dir DIR] [--levels 1,8,64,512]
                                           [--seconds N] [--statements] [--floor]
                                           the kernel on PostgreSQL (default: an embedded one); --statements
                                           also counts the server's statements a step (embedded server only);
                                           --floor also writes the kernel's rows by raw JDBC, row by row and
                                           one statement a table a batch
                   aios-bench/run quarter [--leads 300] [--seed 7] [--streak 20] [--check] [--write FILE]
                                           a simulated quarter of the design studio; --check exits 1 on a missed target

              --quick        a smoke run of a few seconds; its figures mean little
              --write FILE   also write the report into FILE (e.g. BENCHMARKS.md), between its markers
              --dir DIR      where the temporary databases go (default: the system temp directory);
                             it must be on the disk you want to measure, not on tmpfs
              --levels LIST  runs kept in flight for the throughput measurement (default 1,8,64)
              --seconds N    seconds per measurement (default 10 per level, 15 one at a time, 3 per baseline)
              --warmup N     seconds each level runs before it is measured (default 3)
              --settle-jit N before the first level, run the kernel at most N seconds until the JIT compiler
                             has gone quiet (default 90; 0 measures the JVM's first seconds, compiler included)
              --check        measure only the process CPU time per step with 64 runs in flight (the best of up
                             to three windows) and fail (exit 1) when it is more than 25% above the figure
                             recorded in aios-bench/kernel-figures.tsv
              --record       measure the same and write it into aios-bench/kernel-figures.tsv
            """;

    private Main() {}

    /** Runs the benchmark; exits with 2 on bad arguments and 1 when a measurement failed. */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("recall")) {
            var rest = Arrays.copyOfRange(args, 1, args.length);
            System.exit(dev.aios.bench.recall.RecallMain.run(command(args), revision(), rest));
            return;
        }
        if (args.length > 0 && args[0].equals("quarter")) {
            try {
                System.exit(Quarter.run(Arrays.copyOfRange(args, 1, args.length)));
            } catch (Exception e) {
                System.err.println("the quarter failed: " + e);
                System.exit(1);
            }
            return;
        }
        if (args.length > 0 && args[0].equals("postgres")) {
            System.exit(postgres(command(args), Arrays.copyOfRange(args, 1, args.length)));
            return;
        }
        Arguments parsed;
        try {
            parsed = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (parsed.help()) {
            System.out.print(USAGE);
            return;
        }
        try {
            if (parsed.guard() != Guard.NONE) {
                var check = new CpuCheck(parsed.options(), CpuCheck.figuresFile(), System.out);
                System.exit(parsed.guard() == Guard.CHECK ? check.check() : check.record());
                return;
            }
            var results = new Bench(parsed.options(), System.err).run();
            String markdown = Report.markdown(results, command(args), Machine.loadNow());
            System.out.println(markdown);
            if (parsed.write().isPresent()) {
                Report.write(parsed.write().get(), markdown);
                System.err.println("wrote the report into " + parsed.write().get());
            }
        } catch (Exception e) {
            System.err.println("the benchmark failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** {@code aios-bench/run postgres}: prints its Markdown report; the exit code. */
    private static int postgres(String command, String[] args) {
        Optional<String> database = Optional.empty();
        List<Integer> nodes = List.of(1, 2);
        boolean levelsGiven = false;
        boolean statements = false;
        boolean floor = false;
        var rest = new ArrayList<String>();
        Arguments parsed;
        try {
            var all = new ArrayList<>(Arrays.asList(args));
            while (!all.isEmpty()) {
                String arg = all.removeFirst();
                switch (arg) {
                    case "--db" -> database = Optional.of(Arguments.value(arg, all));
                    case "--nodes" -> nodes = Arguments.levels(Arguments.value(arg, all));
                    case "--statements" -> statements = true;
                    case "--floor" -> floor = true;
                    default -> {
                        levelsGiven |= arg.equals("--levels");
                        rest.add(arg);
                    }
                }
            }
            parsed = Arguments.parse(rest.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            return 2;
        }
        if (parsed.help()) {
            System.out.print(USAGE);
            return 0;
        }
        var options = levelsGiven || rest.contains("--quick")
                ? parsed.options()
                : parsed.options().withLevels(List.of(1, 8, 64, 512));
        try {
            var markdown = new PostgresBench(options, database, nodes, statements, floor, System.err).run(command);
            System.out.println(markdown);
            return 0;
        } catch (Exception e) {
            System.err.println("the benchmark failed: " + e);
            e.printStackTrace();
            return 1;
        }
    }

    /** The command as the user typed it: aios-bench/run passes it on in AIOS_BENCH_COMMAND. */
    private static String command(String[] args) {
        String launcher = System.getenv("AIOS_BENCH_COMMAND");
        String base = launcher == null || launcher.isBlank() ? "java -jar aios-bench/target/aios-bench.jar" : launcher;
        return args.length == 0 ? base : base + " " + String.join(" ", args);
    }

    /** The source revision measured, as aios-bench/run passes it on; "unknown" when run otherwise. */
    private static String revision() {
        String revision = System.getenv("AIOS_BENCH_REVISION");
        return revision == null || revision.isBlank() ? "unknown" : revision;
    }

    /** Whether to check or record the CPU figure instead of the full report. */
    enum Guard {
        NONE,
        CHECK,
        RECORD
    }

    /** The parsed command line. */
    record Arguments(BenchOptions options, Optional<Path> write, boolean help, Guard guard) {

        static Arguments parse(String... args) {
            boolean quick = false;
            boolean help = false;
            Guard guard = Guard.NONE;
            Optional<Path> write = Optional.empty();
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "aios-bench");
            Optional<List<Integer>> levels = Optional.empty();
            Optional<Duration> seconds = Optional.empty();
            Optional<Duration> warmup = Optional.empty();
            Optional<Duration> settleJit = Optional.empty();
            var rest = new ArrayList<>(Arrays.asList(args));
            while (!rest.isEmpty()) {
                String arg = rest.removeFirst();
                switch (arg) {
                    case "--quick" -> quick = true;
                    case "--help", "-h" -> help = true;
                    case "--check" -> guard = guard(guard, Guard.CHECK);
                    case "--record" -> guard = guard(guard, Guard.RECORD);
                    case "--write" -> write = Optional.of(Path.of(value(arg, rest)));
                    case "--dir" -> dir = Path.of(value(arg, rest));
                    case "--levels" -> levels = Optional.of(levels(value(arg, rest)));
                    case "--seconds" -> seconds = Optional.of(Duration.ofSeconds(number(arg, value(arg, rest))));
                    case "--warmup" -> warmup = Optional.of(Duration.ofSeconds(count(arg, value(arg, rest))));
                    case "--settle-jit" -> settleJit = Optional.of(Duration.ofSeconds(count(arg, value(arg, rest))));
                    default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
            if (write.isPresent() && Files.isDirectory(write.get())) {
                throw new IllegalArgumentException("--write needs a file, " + write.get() + " is a directory");
            }
            var options = quick ? BenchOptions.quick(dir) : BenchOptions.full(dir);
            if (levels.isPresent()) {
                options = options.withLevels(levels.get());
            }
            if (seconds.isPresent()) {
                options = options.withMeasure(seconds.get());
            }
            if (warmup.isPresent()) {
                options = options.withWarmup(warmup.get());
            }
            if (settleJit.isPresent()) {
                options = options.withSettleJit(settleJit.get());
            }
            if (guard != Guard.NONE && (quick || write.isPresent() || levels.isPresent())) {
                throw new IllegalArgumentException(
                        "--check and --record measure 64 runs in flight only; leave out --quick, --write and --levels");
            }
            return new Arguments(options, write, help, guard);
        }

        private static Guard guard(Guard before, Guard now) {
            if (before != Guard.NONE && before != now) {
                throw new IllegalArgumentException("--check and --record do not go together: pick one");
            }
            return now;
        }

        static String value(String option, List<String> rest) {
            if (rest.isEmpty()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return rest.removeFirst();
        }

        static List<Integer> levels(String list) {
            return Arrays.stream(list.split(","))
                    .map(String::trim)
                    .map(n -> (int) number("--levels", n))
                    .toList();
        }

        private static long count(String option, String text) {
            if (text.startsWith("-")) {
                throw new IllegalArgumentException(option + " must be 0 or more, was " + text);
            }
            return text.equals("0") ? 0 : number(option, text);
        }

        private static long number(String option, String text) {
            try {
                long n = Long.parseLong(text);
                if (n < 1) {
                    throw new IllegalArgumentException(option + " must be positive, was " + text);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " needs a whole number, was '" + text + "'");
            }
        }
    }
}
