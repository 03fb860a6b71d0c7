package dev.aios.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

/**
 * Task graphs against the plain sequence, in one process on one data directory, so that the
 * ratios compare like with like: a {@code forEach} of 1,000 no-op items run 64 at a time against
 * the same 1,000 no-op steps as 200 five-step runs kept 64 steps in flight and as five-step runs
 * one at a time; and the latency of a two-branch parallel join against a two-step sequence.
 *
 * <p>Run it with {@code java -cp 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*'
 * dev.aios.bench.GraphBench [--rounds N] [--dir DIR]} after {@code mvn -B -q -Dmaven.test.skip=true
 * package -pl aios-bench -am}.
 */
public final class GraphBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ITEMS = 1_000;
    private static final int CONCURRENCY = 64;

    private GraphBench() {}

    /** What a no-op step passes on. */
    record Note(String text) {}

    /** Returns its input. */
    static final class Noop implements Agent<Note, Note> {
        @Override
        public Contract<Note, Note> contract() {
            return Contract.of("noop", "1.0.0", Note.class, Note.class);
        }

        @Override
        public Note run(Note input, AgentContext context) {
            return input;
        }
    }

    private static final String PLAYBOOKS = """
            name: each
            trigger: bench.each
            steps:
              - id: items
                forEach: event.data.items
                as: item
                concurrency: 64
                collect: steps.one.text
                steps:
                  - id: one
                    agent: noop
                    input: { text: string(item) }
            ---
            name: five
            trigger: bench.five
            steps:
              - { id: s1, agent: noop, input: { text: "'a'" } }
              - { id: s2, agent: noop, input: { text: steps.s1.text } }
              - { id: s3, agent: noop, input: { text: steps.s2.text } }
              - { id: s4, agent: noop, input: { text: steps.s3.text } }
              - { id: s5, agent: noop, input: { text: steps.s4.text } }
            ---
            name: join
            trigger: bench.join
            steps:
              - id: both
                parallel:
                  left:
                    - { id: l, agent: noop, input: { text: "'l'" } }
                  right:
                    - { id: r, agent: noop, input: { text: "'r'" } }
                join: all
            ---
            name: pair
            trigger: bench.pair
            steps:
              - { id: l, agent: noop, input: { text: "'l'" } }
              - { id: r, agent: noop, input: { text: "'r'" } }
            """;

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: GraphBench [--rounds N] [--dir DIR]");
                    System.exit(2);
                }
            }
        }
        var data = Files.createTempDirectory(dir, "aios-graph-bench");
        var playbooks = Files.createDirectories(data.resolve("playbooks"));
        var documents = PLAYBOOKS.split("(?m)^---\\n");
        for (var document : documents) {
            var name = document.lines().findFirst().orElseThrow().substring("name: ".length());
            Files.writeString(playbooks.resolve(name + ".yaml"), document);
        }
        try (var kernel = Kernel.builder()
                .dataDirectory(data.resolve("data"))
                .agent(new Noop())
                .playbookDirectory(playbooks)
                .concurrency(CONCURRENCY)
                .pollInterval(Duration.ofMillis(20))
                .build()) {
            kernel.start();
            if (!kernel.lastLoad().refused().isEmpty()) {
                throw new IllegalStateException(
                        "playbooks refused: " + kernel.lastLoad().refused());
            }
            // warm-up
            forEach(kernel);
            fiveStepBatch(kernel);
            latency(kernel, "bench.join", 20);
            latency(kernel, "bench.pair", 20);

            var each = new double[rounds];
            var batch = new double[rounds];
            var sequential = new double[rounds];
            var join = new double[rounds];
            var pair = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                each[r] = forEach(kernel);
                batch[r] = fiveStepBatch(kernel);
                sequential[r] = fiveStepSequential(kernel, 40);
                join[r] = latency(kernel, "bench.join", 50);
                pair[r] = latency(kernel, "bench.pair", 50);
                System.err.printf(
                        Locale.ROOT,
                        "round %d: forEach %.0f items/s, five-step 64 in flight %.0f steps/s, one at a time %.0f"
                                + " steps/s; join %.1f ms, two-step sequence %.1f ms%n",
                        r + 1,
                        each[r],
                        batch[r],
                        sequential[r],
                        join[r],
                        pair[r]);
            }
            double e = median(each);
            double b = median(batch);
            double s = median(sequential);
            double j = median(join);
            double p = median(pair);
            System.out.printf(
                    Locale.ROOT,
                    """
                    | measurement (median of %d rounds) | figure | ratio |
                    |---|---:|---:|
                    | forEach of %d no-op items, concurrency %d | %.0f items/s | |
                    | the same %d no-op steps as %d five-step runs, %d steps in flight | %.0f steps/s | forEach ÷ this: %.2f |
                    | five-step runs one at a time | %.0f steps/s | forEach ÷ this: %.2f |
                    | parallel of two one-step branches, join all: trigger to run completed | %.1f ms | this ÷ sequence: %.2f |
                    | the same two steps in sequence: trigger to run completed | %.1f ms | |
                    """,
                    rounds,
                    ITEMS,
                    CONCURRENCY,
                    e,
                    ITEMS,
                    ITEMS / 5,
                    CONCURRENCY,
                    b,
                    e / b,
                    s,
                    e / s,
                    j,
                    j / p,
                    p);
        }
    }

    /** One forEach run over {@link #ITEMS} items: items per second from the event to the run's end. */
    private static double forEach(Kernel kernel) throws Exception {
        var items = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            items.append(i == 0 ? "" : ",").append(i);
        }
        long started = System.nanoTime();
        var run = send(kernel, "bench.each", "{\"items\": [" + items + "]}");
        awaitCompleted(kernel, run);
        return ITEMS / ((System.nanoTime() - started) / 1e9);
    }

    /** {@link #ITEMS} / 5 five-step runs sent at once: steps per second until the last ended. */
    private static double fiveStepBatch(Kernel kernel) throws Exception {
        long started = System.nanoTime();
        var runs = new ArrayList<String>();
        for (int i = 0; i < ITEMS / 5; i++) {
            runs.add(send(kernel, "bench.five", "{}"));
        }
        for (var run : runs) {
            awaitCompleted(kernel, run);
        }
        return ITEMS / ((System.nanoTime() - started) / 1e9);
    }

    /** Five-step runs one after the other: steps per second. */
    private static double fiveStepSequential(Kernel kernel, int runs) throws Exception {
        long started = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            awaitCompleted(kernel, send(kernel, "bench.five", "{}"));
        }
        return runs * 5 / ((System.nanoTime() - started) / 1e9);
    }

    /** Runs one at a time: the median milliseconds from the event to the run's end. */
    private static double latency(Kernel kernel, String type, int runs) throws Exception {
        var times = new double[runs];
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            awaitCompleted(kernel, send(kernel, type, "{}"));
            times[i] = (System.nanoTime() - started) / 1e6;
        }
        return median(times);
    }

    private static String send(Kernel kernel, String type, String data) throws Exception {
        var accepted = kernel.send(new Event(
                UUID.randomUUID().toString(), type, "bench", "bench", Instant.now(), JSON.readTree(data), "", ""));
        return accepted.started().getFirst();
    }

    private static void awaitCompleted(Kernel kernel, String run) {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            var status = kernel.run(run).status();
            if (status == RunStatus.COMPLETED) {
                return;
            }
            if (status.isFinal() || status == RunStatus.NEEDS_ATTENTION || System.nanoTime() > deadline) {
                throw new IllegalStateException("run " + run + " ended " + status);
            }
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
    }

    private static double median(double[] values) {
        var sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
