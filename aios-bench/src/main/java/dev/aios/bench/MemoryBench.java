package dev.aios.bench;

import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.internal.InProcessEmbedder;
import dev.aios.memory.internal.Vectors;
import dev.aios.memory.spi.Embedder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.store.FSDirectory;

/**
 * Memory's benchmark, in one process on the real module: ingest throughput with the in-process model,
 * recall latency at 10,000 and 100,000 items, the HNSW search's recall@10 against exact search over
 * the same vectors, and the cost of forgetting and of rebuilding the index.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*' \
 *     dev.aios.bench.MemoryBench [--ingest 1000] [--sizes 10000,100000] [--queries 300] [--warm-up 1000] \
 *     [--dir DIR] [--store DIR]
 * </pre>
 *
 * {@code --dir} is where the temporary stores are made (a new one every run). {@code --store DIR} keeps
 * the recall store in {@code DIR} instead: a run fills it only up to what it does not hold yet (its
 * items and the FTS5 table beside them), measures recall, and leaves it as it was (no forgetting, no
 * rebuild), so that two builds can be measured one after the other on the same items. {@code
 * --warm-up} recalls (other texts, with and without a subject filter) run before any is timed, so that
 * the JIT has compiled the recall's code; the CPU time per recall is reported for the recalling thread
 * alone, for all the JVM's Java threads (the query's embedding included), and for the whole process
 * (which adds the JIT's and the collector's threads).
 *
 * Embedding 100,000 texts with the real model takes about half an hour on 2 cores, so the large
 * sizes use the real model for 2,000 distinct base texts and give every item its base text's vector
 * plus a small random offset of its own (cosine about 0.9 to the base): clusters of near neighbours,
 * as real notes about similar things have. Queries are embedded by the real model, in the timing.
 */
public final class MemoryBench {
    private static final String[] TOPICS = {
        "brand refresh",
        "landing page",
        "logo",
        "packaging",
        "mobile app onboarding",
        "pitch deck",
        "invoice",
        "late payment",
        "kickoff call",
        "feedback round",
        "illustrations",
        "website redesign",
        "newsletter",
        "social media kit",
        "icon set",
        "style guide",
        "typography",
        "colour palette",
        "photo shoot",
        "signage"
    };
    private static final String[] CLIENTS = {
        "a bakery", "a fintech startup", "a yoga studio", "a law firm", "a coffee roaster", "a bike shop",
        "a dentist", "a software agency", "a bookshop", "a brewery", "an architect", "a florist"
    };
    private static final String[] ACTIONS = {
        "asked for",
        "approved",
        "wants changes to",
        "paid for",
        "postponed",
        "loved",
        "needs a second round on",
        "sent references for"
    };

    /** Recalls run before any is timed, by default: enough for the JIT to settle the recall's code. */
    private static final int WARM_UP = 1_000;

    private MemoryBench() {}

    public static void main(String[] args) throws Exception {
        int ingest = 1000;
        int queries = 300;
        int warmUp = WARM_UP;
        List<Integer> sizes = List.of(10_000, 100_000);
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.Optional<Path> store = java.util.Optional.empty();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--ingest" -> ingest = Integer.parseInt(args[++i]);
                case "--queries" -> queries = Integer.parseInt(args[++i]);
                case "--warm-up" -> warmUp = Integer.parseInt(args[++i]);
                case "--sizes" ->
                    sizes = java.util.Arrays.stream(args[++i].split(","))
                            .map(Integer::parseInt)
                            .toList();
                case "--dir" -> base = Path.of(args[++i]);
                case "--store" -> store = java.util.Optional.of(Path.of(args[++i]));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.println("cores: " + Runtime.getRuntime().availableProcessors() + ", heap: "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        var model = new InProcessEmbedder();
        if (ingest > 0) {
            measureIngest(model, base, ingest);
        }
        measureScale(model, base, store, sizes, queries, warmUp);
        model.close();
    }

    /** Items/s from the first remember until the last item is embedded and searchable, real model. */
    static void measureIngest(InProcessEmbedder model, Path base, int n) throws Exception {
        var dir = Files.createTempDirectory(base, "aios-memory-ingest");
        var memory = MemoryExtension.of(MemorySettings.defaults(), keep(model));
        try (var kernel = Kernel.builder().dataDirectory(dir).extension(memory).build()) {
            kernel.start();
            var random = new Random(1);
            var texts = new ArrayList<String>();
            for (int i = 0; i < n; i++) {
                texts.add(sentence(random) + " " + sentence(random));
            }
            long start = System.nanoTime();
            parallel(8, n, i -> memory.memory()
                    .remember(Remember.of(MemoryKind.NOTE, "client-" + (i % 50), texts.get(i))));
            long stored = System.nanoTime();
            memory.settle(Duration.ofMinutes(30));
            long done = System.nanoTime();
            System.out.printf(
                    Locale.ROOT,
                    "ingest, real model: %d items, stored (searchable by text) in %.1f s = %.0f items/s;"
                            + " embedded and searchable by meaning after %.1f s = %.1f items/s%n",
                    n,
                    (stored - start) / 1e9,
                    n / ((stored - start) / 1e9),
                    (done - start) / 1e9,
                    n / ((done - start) / 1e9));
        }
    }

    static void measureScale(
            InProcessEmbedder model,
            Path base,
            java.util.Optional<Path> store,
            List<Integer> sizes,
            int queries,
            int warmUp)
            throws Exception {
        var dir = store.isPresent()
                ? Files.createDirectories(store.get())
                : Files.createTempDirectory(base, "aios-memory-scale");
        var embedder = new ClusteredEmbedder(model, 2_000);
        var memory = MemoryExtension.of(MemorySettings.defaults(), embedder);
        var kernel = Kernel.builder().dataDirectory(dir).extension(memory).build();
        kernel.start();
        int have = (int) memory.stats().index().chunks();
        var random = new Random(2);
        var fts = new MemoryFts5(dir.resolve("fts5.db"));
        int ftsHave = fts.size();
        for (int size : sizes) {
            long start = System.nanoTime();
            int from = have;
            // Stored in batches of 500 (what `aios memory import` does): this measures recall, and one
            // commit per item would take an hour and a half for 100,000 on two busy cores.
            for (int first = from; first < size; first += 500) {
                var batch = new ArrayList<Remember>();
                for (int i = first; i < Math.min(size, first + 500); i++) {
                    batch.add(Remember.of(MemoryKind.NOTE, "client-" + (i % 1000), embedder.text(i)));
                }
                memory.rememberAll(batch);
            }
            memory.settle(Duration.ofHours(1));
            var rows = new ArrayList<String[]>();
            for (int i = ftsHave; i < size; i++) {
                rows.add(new String[] {"client-" + (i % 1000), embedder.text(i)});
            }
            fts.add(rows);
            ftsHave = Math.max(ftsHave, size);
            have = Math.max(have, size);
            System.out.printf(
                    Locale.ROOT,
                    "%,d items stored and embedded (clustered vectors) in %.0f s%n",
                    size,
                    (System.nanoTime() - start) / 1e9);
            // Texts of their own (the recent queries' vectors are kept, and the timed texts must be new).
            var warming = new Random(3);
            for (int q = 0; q < warmUp; q++) {
                var query = MemoryQuery.of(sentence(warming)).withK(10);
                memory.memory().recall(q % 2 == 0 ? query : query.withSubject("client-" + warming.nextInt(1000)));
            }
            var hybrid = new Histogram(3);
            var filtered = new Histogram(3);
            var embedding = new Histogram(3);
            var ftsAll = new Histogram(3);
            var ftsFiltered = new Histogram(3);
            for (int q = 0; q < queries + 50; q++) {
                var text = sentence(random);
                var subject = "client-" + random.nextInt(1000);
                long t0 = System.nanoTime();
                memory.memory().recall(MemoryQuery.of(text).withK(10));
                long t1 = System.nanoTime();
                memory.memory().recall(MemoryQuery.of(text).withK(10).withSubject(subject));
                long t2 = System.nanoTime();
                model.embed(List.of(text));
                long t3 = System.nanoTime();
                fts.search(text, java.util.Optional.empty());
                long t4 = System.nanoTime();
                fts.search(text, java.util.Optional.of(subject));
                long t5 = System.nanoTime();
                if (q >= 50) {
                    hybrid.recordValue((t1 - t0) / 1000);
                    filtered.recordValue((t2 - t1) / 1000);
                    embedding.recordValue((t3 - t2) / 1000);
                    ftsAll.recordValue(Math.max(1, (t4 - t3) / 1000));
                    ftsFiltered.recordValue(Math.max(1, (t5 - t4) / 1000));
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "at %,d items, same queries: embedding the query alone p50 %.1f ms, p99 %.1f ms;"
                            + " SQLite FTS5 p50 %.2f ms, p99 %.2f ms; filtered to one subject p50 %.2f ms, p99 %.2f ms%n",
                    size,
                    embedding.getValueAtPercentile(50) / 1000.0,
                    embedding.getValueAtPercentile(99) / 1000.0,
                    ftsAll.getValueAtPercentile(50) / 1000.0,
                    ftsAll.getValueAtPercentile(99) / 1000.0,
                    ftsFiltered.getValueAtPercentile(50) / 1000.0,
                    ftsFiltered.getValueAtPercentile(99) / 1000.0);
            System.out.printf(
                    Locale.ROOT,
                    "recall at %,d items (k=10, query embedded in-process, BM25 + HNSW + fusion + decay):"
                            + " p50 %.1f ms, p99 %.1f ms; filtered to one subject: p50 %.1f ms, p99 %.1f ms%n",
                    size,
                    hybrid.getValueAtPercentile(50) / 1000.0,
                    hybrid.getValueAtPercentile(99) / 1000.0,
                    filtered.getValueAtPercentile(50) / 1000.0,
                    filtered.getValueAtPercentile(99) / 1000.0);
            // The same recalls again, one after the other, for the CPU time per recall: the recalling
            // thread's, all Java threads' (the query's embedding runs on another), the process's.
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = processCpu();
            long java0 = javaThreadsCpu(threads);
            long thread0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            var again = new Random(2);
            for (int q = 0; q < queries; q++) {
                memory.memory().recall(MemoryQuery.of(sentence(again)).withK(10));
            }
            long wall = System.nanoTime() - wall0;
            long thread = threads.getCurrentThreadCpuTime() - thread0;
            System.out.printf(
                    Locale.ROOT,
                    "recall at %,d items, %d one after the other: %.2f ms wall each; CPU each: recalling thread"
                            + " %.2f ms, all Java threads %.2f ms, process %.2f ms%n",
                    size,
                    queries,
                    wall / 1e6 / queries,
                    thread / 1e6 / queries,
                    (javaThreadsCpu(threads) - java0) / 1e6 / queries,
                    (processCpu() - cpu0) / 1e6 / queries);
            var stats = memory.stats();
            System.out.printf(
                    Locale.ROOT,
                    "index at %,d items: %,d chunks, %.1f MiB on disk%n",
                    size,
                    stats.index().chunks(),
                    stats.index().bytes() / 1048576.0);
        }
        if (store.isPresent()) {
            kernel.close();
            fts.close();
            return;
        }
        // Forgetting one subject: rows and keys at once, index entries deleted and committed at once
        // (no search finds them), the segments that held them rewritten in the background.
        long t0 = System.nanoTime();
        long forgotten = memory.memory().forget("client-7");
        long returned = System.nanoTime();
        memory.settle(Duration.ofMinutes(30));
        System.out.printf(
                Locale.ROOT,
                "forget one subject (%d items) at %,d items: returns after %.2f s; its terms are off the disk after %.1f s%n",
                forgotten,
                have,
                (returned - t0) / 1e9,
                (System.nanoTime() - t0) / 1e9);
        kernel.close();
        fts.close();
        vectorRecall(dir.resolve("memory-index"), embedder, queries);
        deleteTree(dir.resolve("memory-index"));
        var again = MemoryExtension.of(MemorySettings.defaults(), embedder);
        long t1 = System.nanoTime();
        try (var reopened = Kernel.builder().dataDirectory(dir).extension(again).build()) {
            reopened.start();
            // The start returns at once; the index is rebuilt in the background.
            again.awaitIndex(Duration.ofHours(1));
            System.out.printf(
                    Locale.ROOT,
                    "index deleted and rebuilt from the database at %,d items: %.0f s%n",
                    again.stats().index().chunks(),
                    (System.nanoTime() - t1) / 1e9);
        }
    }

    /**
     * The CPU time of the JVM's live Java threads (platform threads, virtual threads' carriers among
     * them), without the JIT's and the collector's threads, which the process's CPU time includes.
     */
    private static long javaThreadsCpu(java.lang.management.ThreadMXBean threads) {
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            sum += Math.max(0, threads.getThreadCpuTime(id));
        }
        return sum;
    }

    private static long processCpu() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : 0;
    }

    /** Recall@10 of Lucene's HNSW search against exact search over the same vectors. */
    static void vectorRecall(Path index, ClusteredEmbedder embedder, int queries) throws IOException {
        try (var directory = FSDirectory.open(index);
                var reader = DirectoryReader.open(directory)) {
            var vectors = new ArrayList<float[]>();
            var keys = new ArrayList<Integer>();
            var searcher = new IndexSearcher(reader);
            for (var leaf : reader.leaves()) {
                var values = leaf.reader().getFloatVectorValues("vector");
                var live = leaf.reader().getLiveDocs();
                if (values == null) {
                    continue;
                }
                var iterator = values.iterator();
                for (int doc = iterator.nextDoc();
                        doc != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS;
                        doc = iterator.nextDoc()) {
                    if (live == null || live.get(doc)) {
                        vectors.add(values.vectorValue(iterator.index()).clone());
                        keys.add(leaf.docBase + doc);
                    }
                }
            }
            var random = new Random(3);
            double found = 0;
            for (int q = 0; q < queries; q++) {
                var query = embedder.perturbed(random.nextInt(2_000), 1_000_000 + q);
                var exact = new ArrayList<Integer>();
                var order = new Integer[vectors.size()];
                var scores = new double[vectors.size()];
                for (int i = 0; i < vectors.size(); i++) {
                    order[i] = i;
                    scores[i] = Vectors.dot(query, vectors.get(i));
                }
                java.util.Arrays.sort(order, Comparator.comparingDouble(i -> -scores[i]));
                for (int i = 0; i < 10; i++) {
                    exact.add(keys.get(order[i]));
                }
                var approximate = new HashSet<Integer>();
                for (var hit : searcher.search(new KnnFloatVectorQuery("vector", query, 10), 10).scoreDocs) {
                    approximate.add(hit.doc);
                }
                found += exact.stream().filter(approximate::contains).count() / 10.0;
            }
            System.out.printf(
                    Locale.ROOT,
                    "vector recall@10, HNSW vs exact over the same %,d vectors, %d queries: %.3f%n",
                    vectors.size(),
                    queries,
                    found / queries);
        }
    }

    /** Real embeddings of a few thousand base texts; each item gets its base's vector, offset a little. */
    static final class ClusteredEmbedder implements Embedder {
        private final InProcessEmbedder model;
        private final List<String> bases = new ArrayList<>();
        private final Map<Integer, float[]> baseVectors = new ConcurrentHashMap<>();

        ClusteredEmbedder(InProcessEmbedder model, int count) {
            this.model = model;
            var random = new Random(4);
            for (int i = 0; i < count; i++) {
                bases.add(sentence(random));
            }
        }

        String text(int item) {
            return bases.get(item % bases.size()) + " [item " + item + "]";
        }

        float[] perturbed(int base, int seed) {
            var vector = baseVectors.computeIfAbsent(
                    base, b -> model.embed(List.of(bases.get(b))).getFirst());
            var random = new Random(seed);
            var offset = new float[vector.length];
            double scale = 0.45 / Math.sqrt(vector.length);
            for (int i = 0; i < vector.length; i++) {
                offset[i] = (float) (vector[i] + random.nextGaussian() * scale);
            }
            return Vectors.unit(offset);
        }

        @Override
        public String model() {
            return "bench/clustered-all-minilm-l6-v2-q";
        }

        @Override
        public List<float[]> embed(List<String> texts) {
            var vectors = new ArrayList<float[]>();
            for (var text : texts) {
                int mark = text.lastIndexOf(" [item ");
                if (mark < 0) {
                    vectors.add(model.embed(List.of(text)).getFirst()); // a query: the real model
                } else {
                    int item = Integer.parseInt(text.substring(mark + 7, text.length() - 1));
                    vectors.add(perturbed(item % bases.size(), item));
                }
            }
            return vectors;
        }
    }

    static String sentence(Random random) {
        return CLIENTS[random.nextInt(CLIENTS.length)].substring(0, 1).toUpperCase(Locale.ROOT)
                + CLIENTS[random.nextInt(CLIENTS.length)].substring(1) + " " + ACTIONS[random.nextInt(ACTIONS.length)]
                + " the " + TOPICS[random.nextInt(TOPICS.length)] + " and the " + TOPICS[random.nextInt(TOPICS.length)]
                + " in " + (2 + random.nextInt(9)) + " weeks.";
    }

    /** An embedder that memory may close without closing the shared model. */
    static Embedder keep(Embedder model) {
        return new Embedder() {
            @Override
            public String model() {
                return model.model();
            }

            @Override
            public List<float[]> embed(List<String> texts) {
                return model.embed(texts);
            }
        };
    }

    interface Task {
        void run(int i) throws Exception;
    }

    static void parallel(int threads, int n, Task task) throws InterruptedException {
        var next = new AtomicInteger();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        task.run(i);
                    }
                    return null;
                });
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            for (var file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
