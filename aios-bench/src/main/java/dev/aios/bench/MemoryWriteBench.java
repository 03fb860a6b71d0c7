package dev.aios.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.internal.InProcessEmbedder;
import dev.aios.server.internal.Json;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * What one {@code POST /api/memory} of a short note costs, from one client sending one note after
 * the other on the real server (kernel, SQLite, sealing, Lucene, the in-process model embedding in
 * the background), beside baselines measured in the same process and round: a raw SQLite one-row
 * commit with the kernel's settings (WAL, synchronous FULL: one fsync), a {@code GET /health} round
 * trip on the same server, and {@code remember} called in-process without HTTP; and a recall of the
 * words of a note stored just before it, and 100 ms before it, in-process (a store leaves the
 * index's refresh to the next search, or to the background once stores pause). Per measurement:
 * latency p50/p95/p99 and the process's CPU time per call (background work of the same window
 * included, such as embedding the notes).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*' \
 *     dev.aios.bench.MemoryWriteBench [--items 500] [--rounds 2] [--embedders model,none] [--dir DIR]
 * </pre>
 */
public final class MemoryWriteBench {
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** Notes sent before any timing, so that the JIT, Lucene and the model are warm. */
    private static final int WARM_UP = 200;

    private MemoryWriteBench() {}

    /** One measured series: latencies in microseconds and the process CPU time spent over it. */
    record Series(String name, Histogram micros, long cpuNanos) {
        String row() {
            long n = micros.getTotalCount();
            return String.format(
                    Locale.ROOT,
                    "| %s | %d | %.2f | %.2f | %.2f | %.2f |",
                    name,
                    n,
                    micros.getValueAtPercentile(50) / 1000.0,
                    micros.getValueAtPercentile(95) / 1000.0,
                    micros.getValueAtPercentile(99) / 1000.0,
                    cpuNanos / 1e6 / n);
        }
    }

    public static void main(String[] args) throws Exception {
        int items = 500;
        int rounds = 2;
        List<String> embedders = List.of("model", "none");
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--items" -> items = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--embedders" -> embedders = List.of(args[++i].split(","));
                case "--dir" -> base = Path.of(args[++i]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument " + args[i]
                                    + "; usage: MemoryWriteBench [--items N] [--rounds N] [--embedders model,none] [--dir DIR]");
            }
        }
        System.out.println("cores: " + Runtime.getRuntime().availableProcessors() + ", load: " + Machine.loadNow());
        var model = embedders.contains("model") ? new InProcessEmbedder() : null;
        for (int round = 1; round <= rounds; round++) {
            System.out.println();
            System.out.println("round " + round + ", load " + Machine.loadNow());
            System.out.println();
            System.out.println("| measurement | calls | p50 ms | p95 ms | p99 ms | CPU ms a call |");
            System.out.println("|---|---:|---:|---:|---:|---:|");
            System.out.println(sqliteCommits(base, items).row());
            for (var embedder : embedders) {
                for (var series : server(base, items, embedder.equals("model") ? model : null)) {
                    System.out.println(series.row());
                }
            }
        }
        if (model != null) {
            model.close();
        }
        System.out.println();
        System.out.println("load at the end: " + Machine.loadNow());
    }

    /**
     * One row per transaction into a fresh SQLite file with the kernel's settings: one fsync each
     * ({@link SqliteBaseline}'s insert loop, rows with a note's 200 bytes of payload).
     */
    static Series sqliteCommits(Path base, int count) throws Exception {
        var micros = Percentiles.micros();
        long[] cpu = {OS.getProcessCpuTime()};
        new SqliteBaseline(base).insert(1, 200, (rows, nanos) -> {
            if (rows == WARM_UP) {
                cpu[0] = OS.getProcessCpuTime();
            } else if (rows > WARM_UP) {
                micros.recordValue(nanos / 1000);
            }
            return rows < count + WARM_UP;
        });
        return new Series("raw SQLite, one row a commit (fsync)", micros, OS.getProcessCpuTime() - cpu[0]);
    }

    /**
     * A fresh server on a fresh data directory, with {@code model} embedding in the background (none
     * when null): {@code GET /health} round trips, then notes one after the other through {@code POST
     * /api/memory}, then through {@code remember} in-process.
     */
    static List<Series> server(Path base, int count, InProcessEmbedder model) throws Exception {
        var dir = Files.createTempDirectory(base, "aios-memwrite");
        var settings = MemorySettings.defaults();
        var memory = model == null
                ? MemoryExtension.of(settings.withEmbeddings(new MemorySettings.Embeddings.None()))
                : MemoryExtension.of(settings, MemoryBench.keep(model));
        String with = model == null ? "no embedding" : "model embedding";
        var random = new Random(7);
        var found = new ArrayList<Series>();
        try (var server = MemoryServer.start(dir.resolve("data"), memory)) {
            var health = server.request("/health").GET().build();
            for (int i = 0; i < WARM_UP; i++) {
                server.send(health, 200);
                server.send(note(server, random, i), 201);
            }
            if (!memory.settle(Duration.ofMinutes(5))) {
                throw new IllegalStateException("embedding did not catch up in 5 minutes");
            }
            found.add(time("GET /health, " + with, count, i -> server.send(health, 200)));
            found.add(
                    time("POST /api/memory, " + with, count, i -> server.send(note(server, random, WARM_UP + i), 201)));
            if (!memory.settle(Duration.ofMinutes(5))) {
                throw new IllegalStateException("embedding did not catch up in 5 minutes");
            }
            var operator = memory.memory();
            found.add(time(
                    "remember in-process, " + with,
                    count,
                    i -> operator.remember(Remember.of(MemoryKind.NOTE, "client", text(random, i)))));
            memory.settle(Duration.ofMinutes(5));
            // What a search pays for the store just before it: the index is refreshed by the search.
            var stored = new String[1];
            found.add(time(
                    "recall of a note just stored, in-process, " + with,
                    count,
                    i -> {
                        stored[0] = text(random, i);
                        operator.remember(Remember.of(MemoryKind.NOTE, "client", stored[0]));
                    },
                    i -> operator.recall(
                            MemoryQuery.of(String.join(" ", java.util.Arrays.copyOf(stored[0].split(" "), 3)))
                                    .withK(10))));
            memory.settle(Duration.ofMinutes(5));
            // The same a moment later, as a person or a later step searches: a fifth as many calls.
            found.add(time(
                    "recall of a note stored 100 ms before, in-process, " + with,
                    Math.max(1, count / 5),
                    i -> {
                        stored[0] = text(random, i);
                        operator.remember(Remember.of(MemoryKind.NOTE, "client", stored[0]));
                        Thread.sleep(100);
                    },
                    i -> operator.recall(
                            MemoryQuery.of(String.join(" ", java.util.Arrays.copyOf(stored[0].split(" "), 3)))
                                    .withK(10))));
            memory.settle(Duration.ofMinutes(5));
        } finally {
            MemoryBench.deleteTree(dir);
        }
        return found;
    }

    @FunctionalInterface
    private interface Call {
        void run(int i) throws Exception;
    }

    private static Series time(String name, int count, Call call) throws Exception {
        return time(name, count, i -> {}, call);
    }

    /** Times {@code call}, each time after {@code before}, whose time is not counted (its CPU is). */
    private static Series time(String name, int count, Call before, Call call) throws Exception {
        var micros = Percentiles.micros();
        long cpu = OS.getProcessCpuTime();
        for (int i = 0; i < count; i++) {
            before.run(i);
            long start = System.nanoTime();
            call.run(i);
            micros.recordValue((System.nanoTime() - start) / 1000);
        }
        return new Series(name, micros, OS.getProcessCpuTime() - cpu);
    }

    private static String text(Random random, int i) {
        return MemoryBench.sentence(random) + " " + MemoryBench.sentence(random) + " #" + i;
    }

    private static HttpRequest note(MemoryServer server, Random random, int i) {
        var body = Json.mapper().createObjectNode();
        body.put("kind", "note").put("subject", "client").put("text", text(random, i));
        return server.post("/api/memory", body.toString());
    }
}
