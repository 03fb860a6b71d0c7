package dev.aios.bench.recall;

import dev.aios.bench.Report;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** {@code aios-bench/run recall}: the recall evaluation's command line. */
public final class RecallMain {
    static final String USAGE = """
            usage: aios-bench/run recall [--quick] [--check] [--record] [--write FILE] [--cache DIR] [--dir DIR]
                                         [--limit N] [--queries N]

              --quick        150 items of each corpus, 20 queries per set: a smoke run
              --check        fail (exit 1) when hit@5 of aios hybrid recall on any set is more than 2
                             points below the figure recorded in aios-bench/recall-figures.tsv
              --record       write this run's hit@5 figures into aios-bench/recall-figures.tsv
              --write FILE   also write the report into FILE (e.g. BENCHMARKS.md), between its markers
              --cache DIR    where the corpora (npm tarballs) and their vectors are kept between runs
                             (default: ~/.cache/aios-bench)
              --dir DIR      where the temporary data directories go (default: the system temp directory)
              --limit N      at most N items of each corpus (default: all)
              --queries N    at most N queries per set (default 200)
              --ranking SPEC also evaluate another ranking, e.g. fusion=ranks,rrfK=20,depth=200,title=2,
                             phrase=0.5,exact=0.3,short=0.5,prior=0.1,meaning=1,chunks=0,spread=0
                             (for tuning; may be repeated)
              --misses       log the queries the hybrid misses and a baseline finds
            """;

    private RecallMain() {}

    /** The parsed command line. */
    record Arguments(RecallOptions options, boolean check, boolean record, Optional<Path> write, Path figures) {
        static Arguments parse(String... args) {
            boolean quick = false;
            boolean check = false;
            boolean record = false;
            boolean misses = false;
            Optional<Path> write = Optional.empty();
            Path cache = Path.of(System.getProperty("user.home"), ".cache", "aios-bench");
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "aios-bench");
            Optional<Integer> limit = Optional.empty();
            Optional<Integer> queries = Optional.empty();
            var variants = new java.util.LinkedHashMap<String, dev.aios.memory.Ranking>();
            var rest = new ArrayList<>(Arrays.asList(args));
            while (!rest.isEmpty()) {
                String arg = rest.removeFirst();
                switch (arg) {
                    case "--quick" -> quick = true;
                    case "--check" -> check = true;
                    case "--record" -> record = true;
                    case "--misses" -> misses = true;
                    case "--write" -> write = Optional.of(Path.of(value(arg, rest)));
                    case "--cache" -> cache = Path.of(value(arg, rest));
                    case "--dir" -> dir = Path.of(value(arg, rest));
                    case "--limit" -> limit = Optional.of(number(arg, value(arg, rest)));
                    case "--queries" -> queries = Optional.of(number(arg, value(arg, rest)));
                    case "--ranking" -> {
                        String spec = value(arg, rest);
                        variants.put(spec, ranking(spec));
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
            if ((check || record) && (quick || limit.isPresent() || queries.isPresent())) {
                throw new IllegalArgumentException(
                        "--check and --record compare the full evaluation; leave out --quick, --limit and --queries");
            }
            var options = quick ? RecallOptions.quick(cache, dir) : RecallOptions.full(cache, dir);
            options = new RecallOptions(
                    options.cache(),
                    options.workDirectory(),
                    limit.orElse(options.limit()),
                    queries.orElse(options.perSet()),
                    options.warmup(),
                    options.settings(),
                    options.quick() || limit.isPresent() || queries.isPresent(),
                    variants,
                    misses);
            String home = System.getenv("AIOS_BENCH_HOME");
            Path figures = home == null || home.isBlank()
                    ? Path.of("aios-bench", "recall-figures.tsv")
                    : Path.of(home, "recall-figures.tsv");
            return new Arguments(options, check, record, write, figures);
        }

        /** A ranking such as {@code depth=200,rrfK=20,title=2,phrase=0.5,exact=0.3,short=0.5,prior=0.2}. */
        static dev.aios.memory.Ranking ranking(String spec) {
            var r = dev.aios.memory.Ranking.DEFAULT;
            for (String pair : spec.split(",")) {
                var kv = pair.split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("--ranking takes name=value pairs, was '" + pair + "'");
                }
                if (kv[0].strip().equals("fusion")) {
                    r = r.withFusion(
                            dev.aios.memory.Ranking.Fusion.valueOf(kv[1].strip().toUpperCase(java.util.Locale.ROOT)));
                    continue;
                }
                double v = Double.parseDouble(kv[1]);
                r = switch (kv[0].strip()) {
                    case "depth" -> r.withDepth((int) v);
                    case "rrfK" -> r.withRrfK((int) v);
                    case "title" -> r.withBoosts(v, r.phraseBoost(), r.exactBoost());
                    case "phrase" -> r.withBoosts(r.titleBoost(), v, r.exactBoost());
                    case "exact" -> r.withBoosts(r.titleBoost(), r.phraseBoost(), v);
                    case "short" -> r.withShortQueryMeaning(v);
                    case "prior" -> r.withPriorWeight(v);
                    case "lead" -> r.withTextLead(v);
                    case "meaning" -> r.withMeaning(v);
                    case "chunks" -> r.withChunkSum(v);
                    case "spread" -> r.withMeaningSpread(v);
                    default ->
                        throw new IllegalArgumentException(
                                "--ranking knows fusion, depth, rrfK, title, phrase, exact, lead,"
                                        + " short, meaning, chunks, spread and prior, not '" + kv[0] + "'");
                };
            }
            return r;
        }

        private static String value(String option, List<String> rest) {
            if (rest.isEmpty()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return rest.removeFirst();
        }

        private static int number(String option, String text) {
            try {
                int n = Integer.parseInt(text);
                if (n < 1) {
                    throw new IllegalArgumentException(option + " must be positive, was " + text);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " needs a whole number, was '" + text + "'");
            }
        }
    }

    /** Runs the evaluation; exits with 2 on bad arguments, 1 when it failed or the check found a regression. */
    public static int run(String command, String revision, String... args) {
        Arguments parsed;
        try {
            if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
                System.out.print(USAGE);
                return 0;
            }
            parsed = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            return 2;
        }
        try {
            if (parsed.check() && !java.nio.file.Files.exists(parsed.figures())) {
                System.err.println("no recorded figures in " + parsed.figures() + "; make them with --record");
                return 1;
            }
            var results = new RecallBench(parsed.options(), System.err).run();
            String markdown = RecallReport.markdown(
                    results, command, revision, parsed.options().quick());
            System.out.println(markdown);
            if (parsed.write().isPresent()) {
                Report.write(parsed.write().get(), markdown, RecallReport.BEGIN, RecallReport.END);
                System.err.println("wrote the report into " + parsed.write().get());
            }
            var measured = RecallReport.figures(results);
            if (parsed.record()) {
                RecallReport.writeFigures(parsed.figures(), measured);
                System.err.println("recorded the figures in " + parsed.figures());
            }
            if (parsed.check()) {
                var failures = RecallReport.check(RecallReport.readFigures(parsed.figures()), measured);
                if (!failures.isEmpty()) {
                    System.err.println("recall fell below the recorded figures (" + parsed.figures() + "):");
                    failures.forEach(f -> System.err.println("  " + f));
                    return 1;
                }
                System.err.println("recall check passed: every set within " + RecallReport.TOLERANCE + " points of "
                        + parsed.figures());
            }
            return 0;
        } catch (Exception e) {
            System.err.println("the recall evaluation failed: " + e);
            e.printStackTrace();
            return 1;
        }
    }
}
