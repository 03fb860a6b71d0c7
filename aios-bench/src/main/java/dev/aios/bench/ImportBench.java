package dev.aios.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.internal.InProcessEmbedder;
import dev.aios.memory.internal.Vectors;
import dev.aios.server.internal.Json;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Executors;

/**
 * Bulk import in one process on the real server, for the in-process embedding runner tuned for this
 * machine against its previous tuning (one text at a time on all cores, ONNX Runtime's default graph
 * optimizations), alternating: first the runners alone on the same 512 texts, in batches as memory
 * sends them, beside LangChain4j's own runner of the same model, with the process's CPU time per text
 * (what a quiet machine's rate follows from) and the latency of one short query; then the same notes
 * stored through {@code POST /api/memory/batch} (500 a request), each into a fresh data directory,
 * timed until the last answer (stored, found by words) and until the last item is embedded (found by
 * meaning). With {@code --one-by-one}, also through {@code POST /api/memory}, one a request, as a
 * script would.
 *
 * <pre>
 * java -cp 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*' dev.aios.bench.ImportBench \
 *     [--items 2000] [--rounds 2] [--dir DIR] [--one-by-one] [--ingest-only]
 * </pre>
 *
 * <p>{@code --ingest-only} leaves out the runners and the previous tuning: only the imports with the
 * tuned runner, one a round (for profiling the storing and indexing beside the model).
 */
public final class ImportBench {
    private ImportBench() {}

    /** Texts a batch of the embedding worker holds. */
    private static final int BATCH = 64;

    private static final String QUERY = "which client still owes us for the logo?";

    public static void main(String[] args) throws Exception {
        int items = 2000;
        int rounds = 2;
        boolean oneByOne = false;
        boolean ingestOnly = false;
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--items" -> items = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--dir" -> base = Path.of(args[++i]);
                case "--one-by-one" -> oneByOne = true;
                case "--ingest-only" -> ingestOnly = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.println("cores: " + Runtime.getRuntime().availableProcessors() + ", load: " + Machine.loadNow());
        var random = new Random(1);
        var texts = new ArrayList<String>();
        for (int i = 0; i < items; i++) {
            texts.add(MemoryBench.sentence(random) + " " + MemoryBench.sentence(random) + " #" + i);
        }
        var tuned = new InProcessEmbedder();
        var previous = new InProcessEmbedder(
                new InProcessEmbedder.Tuning(1, Runtime.getRuntime().availableProcessors(), false));
        if (!ingestOnly) {
            runners(tuned, previous, texts.subList(0, Math.min(512, texts.size())), rounds);
        }
        for (int round = 0; round < rounds; round++) {
            var order =
                    ingestOnly ? List.of(tuned) : round % 2 == 0 ? List.of(previous, tuned) : List.of(tuned, previous);
            for (var model : order) {
                ingest(model, model == tuned ? "tuned" : "previous", base, texts, true);
            }
        }
        if (oneByOne) {
            ingest(tuned, "tuned", base, texts, false);
        }
        tuned.close();
        previous.close();
        System.out.println("load at the end: " + Machine.loadNow());
    }

    /**
     * Texts/s and CPU ms per text of the tuned and the previous runner and of LangChain4j's runner,
     * alternating batch by batch; then one short query at a time.
     */
    static void runners(InProcessEmbedder tuned, InProcessEmbedder previous, List<String> texts, int rounds) {
        var threads = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        var reference = new AllMiniLmL6V2QuantizedEmbeddingModel(threads);
        var batch = tuned.embed(texts.subList(0, BATCH));
        previous.embed(texts.subList(0, BATCH));
        double alone = 1;
        double agreement = 1;
        for (int i = 0; i < 20; i++) {
            var text = texts.get(i);
            alone = Math.min(
                    alone, Vectors.dot(batch.get(i), tuned.embed(List.of(text)).getFirst()));
            var theirs = Vectors.unit(
                    reference.embed(TextSegment.from(text)).content().vector());
            agreement = Math.min(agreement, Vectors.dot(batch.get(i), theirs));
        }
        System.out.printf(
                Locale.ROOT,
                "lowest cosine: a text in a batch of %d against the same text alone %.7f; against LangChain4j's"
                        + " runner %.7f%n",
                BATCH,
                alone,
                agreement);
        var names = List.of("tuned runner", "previous runner", "LangChain4j runner");
        for (int round = 0; round < rounds; round++) {
            var took = new Meter[names.size()];
            for (int r = 0; r < took.length; r++) {
                took[r] = new Meter();
            }
            for (int i = 0; i < texts.size(); i += BATCH) {
                var slice = texts.subList(i, Math.min(texts.size(), i + BATCH));
                took[0].time(() -> tuned.embed(slice));
                took[1].time(() -> previous.embed(slice));
                took[2].time(() ->
                        reference.embedAll(slice.stream().map(TextSegment::from).toList()));
            }
            for (int r = 0; r < took.length; r++) {
                System.out.printf(
                        Locale.ROOT,
                        "embedding %d texts, %s: %.0f texts/s (%.2fx the previous), %.2f CPU ms a text; load %s%n",
                        texts.size(),
                        names.get(r),
                        texts.size() / took[r].seconds,
                        took[1].seconds / took[r].seconds,
                        took[r].cpuSeconds * 1000 / texts.size(),
                        Machine.loadNow());
            }
            var latency = new long[2][300];
            for (int i = 0; i < latency[0].length; i++) {
                for (int r = 0; r < 2; r++) {
                    var model = r == 0 ? tuned : previous;
                    long start = System.nanoTime();
                    model.embed(List.of(QUERY));
                    latency[r][i] = System.nanoTime() - start;
                }
            }
            for (int r = 0; r < 2; r++) {
                Arrays.sort(latency[r]);
                System.out.printf(
                        Locale.ROOT,
                        "one short query, %s: p50 %.2f ms, p99 %.2f ms; load %s%n",
                        names.get(r),
                        latency[r][latency[r].length / 2] / 1e6,
                        latency[r][latency[r].length * 99 / 100] / 1e6,
                        Machine.loadNow());
            }
        }
        threads.shutdownNow();
    }

    /** Wall and process CPU time spent in timed work. */
    private static final class Meter {
        private static final OperatingSystemMXBean OS =
                (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double seconds;
        double cpuSeconds;

        void time(Runnable work) {
            long cpu = OS.getProcessCpuTime();
            long start = System.nanoTime();
            work.run();
            seconds += (System.nanoTime() - start) / 1e9;
            cpuSeconds += (OS.getProcessCpuTime() - cpu) / 1e9;
        }
    }

    static void ingest(InProcessEmbedder model, String name, Path base, List<String> texts, boolean batched)
            throws Exception {
        var dir = Files.createTempDirectory(base, "aios-import");
        var memory = MemoryExtension.of(MemorySettings.defaults(), MemoryBench.keep(model));
        try (var server = MemoryServer.start(dir.resolve("data"), memory)) {
            long cpu = Meter.OS.getProcessCpuTime();
            long start = System.nanoTime();
            if (batched) {
                for (int from = 0; from < texts.size(); from += 500) {
                    var body = Json.mapper().createObjectNode();
                    var list = body.putArray("items");
                    for (var text : texts.subList(from, Math.min(texts.size(), from + 500))) {
                        list.addObject()
                                .put("kind", "note")
                                .put("subject", "client")
                                .put("text", text);
                    }
                    server.send(server.post("/api/memory/batch", body.toString()), 201);
                }
            } else {
                for (var text : texts) {
                    var body = Json.mapper().createObjectNode();
                    body.put("kind", "note").put("subject", "client").put("text", text);
                    server.send(server.post("/api/memory", body.toString()), 201);
                }
            }
            long stored = System.nanoTime();
            if (!memory.settle(Duration.ofMinutes(30))) {
                throw new IllegalStateException("embedding did not catch up in 30 minutes");
            }
            long embedded = System.nanoTime();
            double cpuSeconds = (Meter.OS.getProcessCpuTime() - cpu) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "%-32s %-8s %d items: stored (found by words) %.1f s = %.0f items/s; embedded (found by"
                            + " meaning) %.1f s = %.0f items/s, %.2f CPU ms an item; load %s%n",
                    batched ? "POST /api/memory/batch (500)" : "POST /api/memory (one by one)",
                    name,
                    texts.size(),
                    (stored - start) / 1e9,
                    texts.size() / ((stored - start) / 1e9),
                    (embedded - start) / 1e9,
                    texts.size() / ((embedded - start) / 1e9),
                    cpuSeconds * 1000 / texts.size(),
                    Machine.loadNow());
        } finally {
            MemoryBench.deleteTree(dir);
        }
    }
}
