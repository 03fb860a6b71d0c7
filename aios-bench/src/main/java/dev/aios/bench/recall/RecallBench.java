package dev.aios.bench.recall;

import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import dev.aios.bench.recall.Baselines.Searcher;
import dev.aios.bench.recall.Corpus.Item;
import dev.aios.bench.recall.Queries.Query;
import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.internal.InProcessEmbedder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * The offline recall evaluation: each corpus stored in a real memory (kernel, SQLite, Lucene index,
 * in-process model) on a timeline of four years, then every query set run through memory's hybrid
 * recall and, in the same process, through Lucene BM25 alone, exact vector search alone and SQLite
 * FTS5, scoring each by where the one right answer came.
 */
public final class RecallBench {
    /** The name of the hybrid system in the report. */
    public static final String HYBRID = "aios hybrid";

    private final RecallOptions options;
    private final PrintStream log;

    public RecallBench(RecallOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /**
     * What one corpus gave.
     *
     * @param corpus the corpus
     * @param chunks how many chunks memory made of it
     * @param sets per query set, per system, the scores
     * @param examples a few queries of each set, to show what they look like
     * @param embedding the latency of embedding one query alone (p50, p99 ms), part of the hybrid's
     *     and the vector baseline's latency
     */
    public record CorpusResult(
            Corpus corpus,
            int chunks,
            Map<String, Map<String, Scores>> sets,
            Map<String, List<String>> examples,
            double[] embedding) {}

    /** Runs the evaluation on every corpus. */
    public List<CorpusResult> run() throws Exception {
        Files.createDirectories(options.cache());
        Files.createDirectories(options.workDirectory());
        var corpora = Corpus.load(options.cache(), options.limit());
        var model = new InProcessEmbedder();
        var cache = new VectorCache(keep(model), options.cache().resolve("vectors-all-minilm-l6-v2-q.bin"));
        var results = new ArrayList<CorpusResult>();
        try {
            for (var corpus : corpora) {
                results.add(evaluate(corpus, cache));
            }
        } finally {
            model.close();
        }
        return results;
    }

    private CorpusResult evaluate(Corpus corpus, VectorCache cache) throws Exception {
        Path work = Files.createTempDirectory(options.workDirectory(), "recall-" + corpus.name());
        // Storing thousands of items one by one takes minutes; the memory made of a corpus is kept in
        // the cache (its tables; the index is rebuilt from them when the index format changed).
        Path dir = options.cache().resolve("memory").resolve(corpus.name() + "-" + fingerprint(corpus));
        var clock = new Clock(corpus.items().getFirst().at());
        if (!Files.exists(dir.resolve("complete"))) {
            deleteTree(dir);
            Path fresh = work.resolve("memory");
            long started = System.nanoTime();
            cache.storing(true);
            int before = cache.fromCache();
            try (var stored = open(fresh, clock, options.settings(), cache)) {
                for (var item : corpus.items()) {
                    clock.set(item.at());
                    stored.memory
                            .memory()
                            .remember(Remember.of(item.kind(), item.subject(), item.text())
                                    .withImportance(item.importance())
                                    .withId(item.id()));
                }
                if (!stored.memory.settle(Duration.ofHours(2))) {
                    throw new IllegalStateException(
                            "memory did not finish embedding " + corpus.name() + " in two hours");
                }
            }
            log.printf(
                    "%s: %,d items stored and embedded in %.0f s (%,d chunk vectors from the cache)%n",
                    corpus.name(),
                    corpus.items().size(),
                    (System.nanoTime() - started) / 1e9,
                    cache.fromCache() - before);
            Files.createDirectories(dir.getParent());
            Files.move(fresh, dir);
            Files.writeString(dir.resolve("complete"), corpus.source() + "\n");
        } else {
            log.printf(
                    "%s: %,d items, memory taken from %s%n",
                    corpus.name(), corpus.items().size(), dir);
        }
        cache.storing(false);

        Instant now = Corpus.END.plus(Duration.ofDays(1));
        clock.set(now);
        Map<String, Item> byId = corpus.items().stream().collect(Collectors.toMap(Item::id, Function.identity()));
        var sets = Queries.withShippedSynonyms().build(corpus, options.perSet(), now, !options.quick());
        var results = new LinkedHashMap<String, Map<String, Scores>>();
        int chunks;
        // Memory opens first: it rebuilds its index when this version cannot read the cached one.
        try (var reopened = open(dir, clock, options.settings(), cache);
                var exact = new Baselines.ExactVectors(dir.resolve("memory-index"), byId, cache);
                var lucene = new Baselines.LuceneBm25(corpus.items());
                var fts = new Baselines.Fts5(work.resolve("fts5.db"), corpus.items())) {
            chunks = exact.size();
            Searcher hybrid = hybrid(HYBRID, reopened.memory.memory());
            var systems = List.<Searcher>of(hybrid, lucene, exact, fts);
            // Warm up every system (class loading, JIT, caches) on queries of every set.
            for (var set : sets.values()) {
                for (var system : systems) {
                    set.stream().limit(options.warmup()).forEach(q -> system.search(q, 10));
                }
            }
            for (var set : sets.entrySet()) {
                var bySystem = new LinkedHashMap<String, Scores>();
                for (var system : systems) {
                    bySystem.put(system.name(), score(system, set.getValue()));
                }
                results.put(set.getKey(), bySystem);
                if (options.showMisses()) {
                    misses(set.getValue(), hybrid, lucene, exact);
                }
            }
        }
        // Other rankings, for tuning: memory opened again on the same data with each.
        for (var variant : options.variants().entrySet()) {
            try (var reopened = open(dir, clock, options.settings().withRanking(variant.getValue()), cache)) {
                var system = hybrid(HYBRID + " (" + variant.getKey() + ")", reopened.memory.memory());
                for (var set : sets.entrySet()) {
                    set.getValue().stream().limit(options.warmup()).forEach(q -> system.search(q, 10));
                    results.get(set.getKey()).put(system.name(), score(system, set.getValue()));
                }
            }
        }
        try {
            for (var set : results.entrySet()) {
                var bySystem = set.getValue();
                log.printf(
                        "%s / %s: hit@5 %s%n",
                        corpus.name(),
                        set.getKey(),
                        bySystem.entrySet().stream()
                                .map(e -> e.getKey() + " "
                                        + Math.round(100 * e.getValue().hit5()))
                                .collect(Collectors.joining(", ")));
            }
        } finally {
            deleteTree(work);
        }
        var embedding = new Histogram(3_600_000_000L, 3);
        for (var set : sets.values()) {
            for (var q : set) {
                long t0 = System.nanoTime();
                cache.embed(List.of(q.text()));
                embedding.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
            }
        }
        var examples = new LinkedHashMap<String, List<String>>();
        sets.forEach((name, queries) -> examples.put(
                name, queries.stream().limit(2).map(RecallBench::describe).toList()));
        return new CorpusResult(corpus, chunks, results, examples, new double[] {
            embedding.getValueAtPercentile(50) / 1000.0, embedding.getValueAtPercentile(99) / 1000.0
        });
    }

    /** Prints the queries the hybrid misses (not in its top 5) that a baseline finds. */
    private void misses(List<Query> queries, Searcher hybrid, Searcher bm25, Searcher vectors) {
        for (var q : queries) {
            int h = hybrid.search(q, 10).indexOf(q.answer()) + 1;
            int b = bm25.search(q, 10).indexOf(q.answer()) + 1;
            int v = vectors.search(q, 10).indexOf(q.answer()) + 1;
            if ((h == 0 || h > 5) && ((b > 0 && b <= 5) || (v > 0 && v <= 5))) {
                log.printf("  miss: %s → %s: hybrid %d, BM25 %d, vectors %d%n", describe(q), q.answer(), h, b, v);
            }
        }
    }

    private static Searcher hybrid(String name, dev.aios.api.Memory memory) {
        return new Searcher() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<String> search(Query q, int k) {
                var query = new MemoryQuery(
                        q.text(), q.subject(), q.kind().map(Set::of).orElse(Set.of()), q.from(), q.to(), k);
                return memory.recall(query).items().stream()
                        .map(dev.aios.api.MemoryHit::id)
                        .toList();
            }
        };
    }

    private static String describe(Query q) {
        var filters = new ArrayList<String>();
        q.subject().ifPresent(s -> filters.add("subject " + s));
        q.kind().ifPresent(k -> filters.add("kind " + k.wire()));
        q.from().ifPresent(f -> filters.add("from " + f.toString().substring(0, 10)));
        q.to().ifPresent(t -> filters.add("to " + t.toString().substring(0, 10)));
        return "\"" + q.text() + "\"" + (filters.isEmpty() ? "" : " (" + String.join(", ", filters) + ")");
    }

    private static Scores score(Searcher system, List<Query> queries) {
        var ranks = new ArrayList<Integer>();
        var micros = new Histogram(3_600_000_000L, 3);
        for (var query : queries) {
            long t0 = System.nanoTime();
            var found = system.search(query, 10);
            micros.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
            ranks.add(found.indexOf(query.answer()) + 1);
        }
        return Scores.of(ranks, micros);
    }

    /** A kernel with memory on {@code dir}. */
    private record Stored(Kernel kernel, MemoryExtension memory) implements AutoCloseable {
        @Override
        public void close() {
            kernel.close();
        }
    }

    private static Stored open(Path dir, InstantSource clock, MemorySettings settings, VectorCache cache) {
        var memory = MemoryExtension.of(settings, keep(cache));
        var kernel = Kernel.builder()
                .dataDirectory(dir)
                .clock(clock)
                .extension(memory)
                .build();
        kernel.start();
        // A large index this version cannot read is rebuilt in the background; searches wait for it.
        if (!memory.awaitIndex(Duration.ofHours(1))) {
            kernel.close();
            throw new IllegalStateException("the memory index was not rebuilt: " + memory.indexState());
        }
        return new Stored(kernel, memory);
    }

    /** An embedder that memory may close without closing the one it wraps. */
    static dev.aios.memory.spi.Embedder keep(dev.aios.memory.spi.Embedder model) {
        return new dev.aios.memory.spi.Embedder() {
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

    /** The timeline's clock: set to each item's time while storing, then to the day after the end. */
    private static final class Clock implements InstantSource {
        private final AtomicReference<Instant> now;

        Clock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        void set(Instant instant) {
            now.set(instant);
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    /** What identifies a corpus's memory: every item's id, time, kind, subject, importance and text. */
    private static String fingerprint(Corpus corpus) throws Exception {
        var digest = java.security.MessageDigest.getInstance("SHA-256");
        for (var item : corpus.items()) {
            digest.update((item.id()
                            + '\u0000'
                            + item.at()
                            + '\u0000'
                            + item.kind()
                            + '\u0000'
                            + item.subject()
                            + '\u0000'
                            + item.importance()
                            + '\u0000'
                            + item.text()
                            + '\u0001')
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return java.util.HexFormat.of().formatHex(digest.digest(), 0, 8);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var files = Files.walk(root)) {
            for (var file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
