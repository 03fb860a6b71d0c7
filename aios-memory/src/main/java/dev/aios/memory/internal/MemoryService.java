package dev.aios.memory.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.KnowledgeKind;
import dev.aios.api.KnowledgeRecord;
import dev.aios.api.MemoryItem;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Recall;
import dev.aios.api.Remember;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.MemoryStats;
import dev.aios.memory.RetentionReport;
import dev.aios.memory.internal.Rows.Chunk;
import dev.aios.memory.internal.Rows.Item;
import dev.aios.memory.internal.Rows.NewItem;
import dev.aios.memory.spi.Embedder;
import dev.aios.memory.spi.Summarizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Memory at work: stores and recalls items, keeps knowledge records, copies the kernel's events and
 * journal into episodic memory, embeds in the background, runs retention, and forgets subjects.
 * Agents reach it through {@link StepMemory}, the operator through {@link OperatorMemory}.
 */
public final class MemoryService implements AutoCloseable {
    private final io.micrometer.core.instrument.Timer recallTimer;
    private static final Logger LOG = LoggerFactory.getLogger(MemoryService.class);
    private static final Duration COMMIT_EVERY = Duration.ofSeconds(5);

    private final MemorySettings settings;
    private final InstantSource clock;
    private final ItemStore store;
    private final VectorStore vectors;
    private final KnowledgeStore knowledge;
    private final Chunker chunker;
    private final Optional<Embedder> embedder;
    private final MemoryIndex index;
    private final Indexer indexer;
    private final Recaller recaller;
    private final EpisodicFeed feed;
    private final Optional<EmbeddingWorker> embedding;
    private final RetentionJob retention;
    private final Path indexDirectory;
    /** Held while copying from the feed and while forgetting, so that nothing forgotten is copied back. */
    private final ReentrantLock ingest = new ReentrantLock();

    private final Semaphore wake = new Semaphore(0);
    /** Counted down when closing, to end a wait for a backlog at once. */
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    /** The longest copying the feed yields to a backlog of due work before it copies anyway. */
    private static final Duration YIELD_AT_MOST = Duration.ofSeconds(30);
    /** How often, at most, the loop asks the kernel whether it has a backlog. */
    private static final Duration ASK_EVERY = Duration.ofMillis(500);

    private final ExtensionHost host;
    // The background loop's own: whether the kernel had a backlog when last asked, and since when it yields.
    private boolean backlogged;
    private long backlogAskedAt = System.nanoTime() - ASK_EVERY.toNanos();
    private long yieldingSince = -1;
    /** Whether the index has applied the changes it lacked at the start (see {@link #recall}). */
    private volatile boolean indexCaughtUp;

    private final Thread background;
    private final ScheduledExecutorService schedule;
    private volatile boolean closed;
    /** Whether {@link #startCopying} started the background pass. */
    private final java.util.concurrent.atomic.AtomicBoolean copying = new java.util.concurrent.atomic.AtomicBoolean();

    private volatile Instant nextRetention;
    private volatile Optional<Consumer<String>> kernelForget = Optional.empty();

    public MemoryService(
            ExtensionHost host, MemorySettings settings, Optional<Embedder> embedder, Summarizer summarizer) {
        this(host, settings, embedder, summarizer, java.util.function.UnaryOperator.identity(), null);
    }

    /** Memory that takes up the index {@code ahead} began to open (see {@link #openIndexAhead}): the same data directory and embedder. */
    public MemoryService(
            ExtensionHost host,
            MemorySettings settings,
            Optional<Embedder> embedder,
            Summarizer summarizer,
            IndexOpening ahead) {
        this(host, settings, embedder, summarizer, java.util.function.UnaryOperator.identity(), ahead);
    }

    /**
     * Memory's index opening on a thread of its own while the kernel opens its store: on a restart that
     * found an index written by a killed process, opening it (Lucene's readers of its segments, their
     * classes loaded and linked) took 0.1–0.2 s of the start's main thread.
     */
    public static final class IndexOpening {
        private final java.util.concurrent.CompletableFuture<Opened> opened;

        /** The index, or what opening it threw. */
        private record Opened(MemoryIndex index, RuntimeException failure) {}

        private IndexOpening(Path directory, String model) {
            this.opened = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return new Opened(MemoryIndex.open(directory, model), null);
                        } catch (RuntimeException e) {
                            return new Opened(null, e);
                        }
                    },
                    task -> Thread.ofPlatform()
                            .name("aios-memory-open")
                            .daemon()
                            .start(task));
        }

        /** The opened index, or what opening it threw. */
        MemoryIndex take() {
            var result = opened.join();
            if (result.failure() != null) {
                throw result.failure();
            }
            return result.index();
        }

        /**
         * Closes the index once it is open (waiting for that), for a kernel whose build failed before
         * memory took it up: the next build opens it again.
         */
        public void abandon() {
            var result = opened.join();
            if (result.index() != null) {
                result.index().close();
            }
        }
    }

    /** Begins opening the index under {@code dataDirectory} for memory with {@code embedder}. */
    public static IndexOpening openIndexAhead(Path dataDirectory, Optional<Embedder> embedder) {
        return new IndexOpening(dataDirectory.resolve(INDEX_DIRECTORY), modelOf(embedder));
    }

    private static final String INDEX_DIRECTORY = "memory-index";

    private static String modelOf(Optional<Embedder> embedder) {
        return embedder.map(Embedder::model).orElse("none");
    }

    /** Memory whose index reaches its files through {@code indexFiles}: for tests of failing disks. */
    MemoryService(
            ExtensionHost host,
            MemorySettings settings,
            Optional<Embedder> embedder,
            Summarizer summarizer,
            java.util.function.UnaryOperator<org.apache.lucene.store.Directory> indexFiles) {
        this(host, settings, embedder, summarizer, indexFiles, null);
    }

    private MemoryService(
            ExtensionHost host,
            MemorySettings settings,
            Optional<Embedder> embedder,
            Summarizer summarizer,
            java.util.function.UnaryOperator<org.apache.lucene.store.Directory> indexFiles,
            IndexOpening ahead) {
        this.settings = settings;
        this.host = host;
        this.clock = host.clock();
        this.recallTimer = io.micrometer.core.instrument.Timer.builder("aios.memory.recall")
                .description("Hybrid recalls (BM25 and vectors, fused): time to answer one query")
                .serviceLevelObjectives(
                        java.time.Duration.ofMillis(5),
                        java.time.Duration.ofMillis(10),
                        java.time.Duration.ofMillis(25),
                        java.time.Duration.ofMillis(50),
                        java.time.Duration.ofMillis(100),
                        java.time.Duration.ofMillis(250),
                        java.time.Duration.ofMillis(500),
                        java.time.Duration.ofSeconds(1),
                        java.time.Duration.ofSeconds(5))
                .register(host.meters());
        this.embedder = embedder;
        host.storage().migrate(dev.aios.memory.MemoryExtension.MODULE, dev.aios.memory.MemoryExtension.MIGRATIONS);
        var sealer = new Sealer(host.cipher());
        this.store = new ItemStore(host.storage(), sealer);
        this.vectors = new VectorStore(store);
        this.chunker = new Chunker(settings.limits().chunkChars());
        this.knowledge = new KnowledgeStore(store, sealer, chunker, embedder.isPresent());
        String model = modelOf(embedder);
        if (embedder.isPresent()) {
            int stale = vectors.invalidateVectors(model);
            if (stale > 0) {
                LOG.info("memory embeds {} chunks again with {}", stale, model);
            }
        }
        this.indexDirectory = host.dataDirectory().resolve(INDEX_DIRECTORY);
        // Opened ahead (by MemoryExtension.prepare) for the same data directory and embedder.
        this.index = ahead != null ? ahead.take() : MemoryIndex.open(indexDirectory, model, indexFiles);
        this.indexer = new Indexer(store, index, clock);
        indexer.open();
        // Changes the index had not applied before the last stop (after a kill, up to its last
        // commit's few seconds) are applied by the background loop, not here: the start, and
        // GET /health, need not wait for them. A recall before then applies them first.
        indexer.resumePurge();
        this.recaller = new Recaller(index, store, embedder, settings, clock);
        this.feed = new EpisodicFeed(host.feed(), store, settings.limits().episodicChars());
        this.embedding = embedder.map(e -> new EmbeddingWorker(vectors, e, sealer, this::wake));
        this.retention = new RetentionJob(store, sealer, settings, summarizer, chunker, embedder.isPresent());
        this.background = Thread.ofPlatform().name("aios-memory").daemon().unstarted(this::loop);
        this.schedule = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("aios-memory-retention").daemon().factory());
        host.listen(items -> wake());
        // What another node stored is searchable here at once, not at the next pass.
        host.storage().onCommitElsewhere(this::wake);
        host.onForget(this::forgotten);
    }

    /**
     * Starts embedding and the retention schedule, and a rebuild of the index if it needs one; the
     * background pass starts with {@link #startCopying}.
     */
    public void start() {
        indexer.rebuildInBackground();
        embedding.ifPresent(EmbeddingWorker::start);
        long every = settings.retentionEvery().toMillis();
        nextRetention = clock.instant().plusMillis(every);
        schedule.scheduleWithFixedDelay(
                () -> {
                    try {
                        retain();
                    } catch (RuntimeException e) {
                        LOG.error("the memory retention job failed; it runs again in {}", settings.retentionEvery(), e);
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Starts the background pass: the index's catch-up with the changes the previous process had not
     * applied (a search before it does that itself), then copying the journal and events and
     * committing the index. Called once the kernel runs, so that a restart answers first: after a
     * kill the catch-up took a third of the CPU in the second before {@code /health} answered.
     */
    public void startCopying() {
        if (copying.compareAndSet(false, true) && !closed) {
            background.start();
            wake();
        }
    }

    /** Lets {@code forget} reach the kernel, which destroys the subject's keys and calls back. */
    public void forgetThrough(Consumer<String> kernelForget) {
        this.kernelForget = Optional.of(kernelForget);
    }

    public MemorySettings settings() {
        return settings;
    }

    InstantSource clock() {
        return clock;
    }

    /** Memory for one attempt of one step. */
    public dev.aios.api.Memory forStep(dev.aios.kernel.spi.StepScope scope) {
        return new StepMemory(this, scope);
    }

    /** Stores an item under {@code id}; see {@link dev.aios.api.Memory#remember}. */
    public MemoryItem remember(Remember request, String id) {
        return rememberAll(List.of(request), List.of(id)).items().getFirst();
    }

    /**
     * Stores {@code requests} under {@code ids} in one transaction, searchable by words on return
     * and embedded in the background: all of them or, when one is refused, none. An id already stored
     * with the same content is left as it is (a retry); with other content the batch is refused.
     */
    public dev.aios.memory.Remembered rememberAll(List<Remember> requests, List<String> ids) {
        if (requests.size() != ids.size()) {
            throw new IllegalArgumentException("one id per item");
        }
        int max = settings.limits().maxItemChars();
        var items = new ArrayList<NewItem>(requests.size());
        var texts = new java.util.HashMap<String, List<String>>();
        for (int n = 0; n < requests.size(); n++) {
            var request = requests.get(n);
            var text = new String(request.text().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            if (text.length() > max) {
                throw new IllegalArgumentException(where(n, requests.size()) + "the text is " + text.length()
                        + " characters; memory takes at most " + max + " per item: split it (one item per section"
                        + " or page), or raise memory.limits.maxItemChars");
            }
            var pieces = chunker.split(text);
            var before = texts.putIfAbsent(ids.get(n), pieces);
            if (before != null) {
                if (!before.equals(pieces)) {
                    throw new dev.aios.memory.MemoryConflictException(where(n, requests.size()) + "the id " + ids.get(n)
                            + " is given twice with other content; nothing changed");
                }
                continue;
            }
            var chunks = new ArrayList<Chunk>();
            for (int i = 0; i < pieces.size(); i++) {
                chunks.add(new Chunk(i, pieces.get(i), embedder.isPresent()));
            }
            items.add(new NewItem(
                    new Item(
                            ids.get(n),
                            request.kind(),
                            request.subject(),
                            1,
                            clock.instant(),
                            request.importance(),
                            request.pinned(),
                            "remember",
                            chunks.size(),
                            text.getBytes(StandardCharsets.UTF_8).length,
                            request.metadata()),
                    chunks));
        }
        // Checked before writing, so that a conflict refuses the whole batch.
        var byId = new java.util.HashMap<String, MemoryItem>();
        var existing = new java.util.HashSet<String>();
        for (var id : store.stored(texts.keySet())) {
            byId.put(id, same(id, requests.get(ids.indexOf(id)), texts.get(id)));
            existing.add(id);
        }
        var fresh =
                items.stream().filter(i -> !existing.contains(i.item().id())).toList();
        if (!fresh.isEmpty()) {
            embedding.ifPresent(e -> e.awaitRoom(settings.limits().maxWaiting(), Duration.ofSeconds(30)));
            var stored = store.insert(fresh, Map.of());
            for (var item : fresh) {
                var id = item.item().id();
                if (stored.existing().contains(id)) {
                    byId.put(id, same(id, requests.get(ids.indexOf(id)), texts.get(id)));
                    existing.add(id);
                } else {
                    byId.put(id, item.item().view());
                }
            }
            indexer.catchUp();
            int chunks = fresh.stream().mapToInt(i -> i.chunks().size()).sum();
            embedding.ifPresent(e -> e.stored(chunks));
        }
        return new dev.aios.memory.Remembered(ids.stream().map(byId::get).toList(), existing);
    }

    private static String where(int n, int of) {
        return of == 1 ? "" : "item " + (n + 1) + " of " + of + ": ";
    }

    /**
     * The item stored under {@code id} when it holds what {@code request} would store (a retry);
     * otherwise a conflict, since an id names one content.
     */
    private MemoryItem same(String id, Remember request, List<String> pieces) {
        var existing = store.item(id)
                .orElseThrow(() -> new IllegalStateException(
                        "memory item " + id + " was stored meanwhile and is gone again; try again"));
        var stored = store.hydrate(Map.of(
                        id,
                        java.util.stream.IntStream.range(0, existing.chunks())
                                .boxed()
                                .toList()))
                .get(id);
        var text = stored == null
                ? List.<String>of()
                : new java.util.TreeMap<>(stored.chunks()).values().stream().toList();
        if (existing.kind() != request.kind()
                || !existing.subject().equals(request.subject())
                || !text.equals(pieces)) {
            throw new dev.aios.memory.MemoryConflictException("memory item " + id + " already exists with other"
                    + " content; nothing changed. Store the new content under another id (or leave the id out)");
        }
        return existing.view();
    }

    /** Recalls; see {@link dev.aios.api.Memory#recall}. */
    public Recall recall(MemoryQuery query) {
        if (indexer.rebuilding()) {
            // A search of a half-filled index would miss what it holds without saying so.
            throw new dev.aios.memory.MemoryRebuildingException(indexer.state());
        }
        indexCaughtUpSinceStart();
        long started = System.nanoTime();
        try {
            return recaller.recall(query);
        } finally {
            recallTimer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** How {@code query} is searched: its terms and the weights of the two searches. */
    public dev.aios.memory.RecallPlan plan(MemoryQuery query) {
        return recaller.plan(query);
    }

    /** Marks the items of a recall as used by a step. */
    void reinforce(Recall recall) {
        store.reinforce(
                recall.items().stream()
                        .map(hit -> hit.kind() == MemoryKind.KNOWLEDGE ? KnowledgeStore.itemId(hit.id()) : hit.id())
                        .toList(),
                clock.instant());
    }

    public KnowledgeRecord put(KnowledgeKind kind, String id, String subject, JsonNode content, String author) {
        var written = knowledge.put(kind, id, subject, content, author, clock.instant());
        if (written.change() > 0) {
            indexer.catchUp();
            embedding.ifPresent(EmbeddingWorker::wake);
        }
        return written.record();
    }

    public Optional<KnowledgeRecord> get(String id) {
        KnowledgeStore.check(id);
        return knowledge.latest(id);
    }

    public Optional<KnowledgeRecord> get(String id, int version) {
        KnowledgeStore.check(id);
        return knowledge.version(id, version);
    }

    public List<KnowledgeRecord> history(String id) {
        KnowledgeStore.check(id);
        return knowledge.history(id);
    }

    /** Whether {@code subject} is under legal hold. */
    public boolean onHold(String subject) {
        return settings.legalHolds().contains(subject);
    }

    /** How many memory items (knowledge copies aside) and knowledge records are about {@code subject}. */
    public long about(String subject) {
        return store.storage()
                .read(h -> h.count(
                                "SELECT COUNT(*) FROM memory_items WHERE subject = ? AND kind <> 'knowledge'", subject)
                        + h.count("SELECT COUNT(DISTINCT id) FROM knowledge_records WHERE subject = ?", subject));
    }

    /** The subjects with the most items, most first. */
    public java.util.List<dev.aios.memory.SubjectCount> subjects(int limit) {
        return store.storage()
                .read(h -> h.query(
                        "SELECT subject, COUNT(*) AS n, SUM(pinned) AS p FROM memory_items"
                                + " WHERE subject <> '' AND kind <> 'knowledge' GROUP BY subject ORDER BY n DESC, subject"
                                + " LIMIT ?",
                        r -> new dev.aios.memory.SubjectCount(r.text("subject"), r.integer("n"), r.integer("p")),
                        limit));
    }

    /**
     * Pins an item (retention keeps it) or unpins it.
     *
     * @return whether the item exists
     */
    public boolean pin(String id, boolean pinned) {
        return store.storage()
                        .write(h -> h.update("UPDATE memory_items SET pinned = ? WHERE id = ?", pinned ? 1 : 0, id))
                > 0;
    }

    /** Which of {@code ids} are pinned. */
    public java.util.Set<String> pinned(java.util.Collection<String> ids) {
        if (ids.isEmpty()) {
            return java.util.Set.of();
        }
        var marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        return store.storage()
                .read(h -> java.util.Set.copyOf(h.query(
                        "SELECT id FROM memory_items WHERE pinned = 1 AND id IN (" + marks + ")",
                        r -> r.text("id"),
                        ids.toArray())));
    }

    /** Forgets a subject through the kernel (keys, events, journal), which then calls {@link #forgotten}. */
    public long forget(String subject) {
        if (subject.isBlank()) {
            throw new IllegalArgumentException("name the subject to forget, e.g. acme");
        }
        if (onHold(subject)) {
            throw new IllegalStateException("'" + subject + "' is under legal hold (memory.retention.legalHolds in"
                    + " aios.yaml); take it off the hold before forgetting it");
        }
        long count = about(subject);
        kernelForget
                .orElseThrow(() -> new IllegalStateException(
                        "memory is not attached to a kernel; pass it to Kernel.builder().extension"))
                .accept(subject);
        return count;
    }

    /** Drops everything memory holds about a subject the kernel forgot, rows and index entries alike. */
    void forgotten(String subject) {
        ingest.lock();
        try {
            store.storage().write(h -> {
                h.update("DELETE FROM memory_chunks WHERE subject = ?", subject);
                h.update("DELETE FROM memory_items WHERE subject = ?", subject);
                h.update("DELETE FROM knowledge_records WHERE subject = ?", subject);
                return ItemStore.change(h, Rows.Change.SUBJECT, subject);
            });
            indexer.forget(subject);
        } finally {
            ingest.unlock();
        }
    }

    /** Whether a change was applied to the index that searches do not see yet: for tests. */
    boolean indexStale() {
        return index.stale();
    }

    /** Runs the retention job now. */
    public RetentionReport retain() {
        var now = clock.instant();
        nextRetention = now.plus(settings.retentionEvery());
        var report = retention.run(now);
        indexer.catchUp();
        indexer.commit();
        embedding.ifPresent(EmbeddingWorker::wake);
        return report;
    }

    public MemoryStats stats() {
        var now = clock.instant();
        var next = nextRetention;
        var plan = retention.plan(next == null || next.isBefore(now) ? now : next);
        return StatsQuery.stats(
                store,
                new MemoryStats.Index(index.size(), index.bytes(), indexDirectory.toString(), indexer.purging()),
                new MemoryStats.Embedding(
                        embedder.map(Embedder::model).orElse("none"),
                        embedder.isPresent() ? vectors.waitingCount() : 0,
                        embedding.map(EmbeddingWorker::embedded).orElse(0L),
                        embedding.map(EmbeddingWorker::lastFailure).orElse("")),
                plan);
    }

    /** The index's state: ready, or how far its rebuild got. */
    public dev.aios.memory.IndexState indexState() {
        return indexer.state();
    }

    /**
     * Rebuilds the index from the tables in the background (searches wait until it is ready).
     *
     * @return the index's state: rebuilding, with why; or the rebuild already running
     */
    public dev.aios.memory.IndexState reindex() {
        indexer.requestRebuild("asked for");
        return indexer.state();
    }

    /** Waits until the index is ready, at most {@code patience}; false on timeout or a failed rebuild. */
    public boolean awaitIndex(Duration patience) {
        return indexer.awaitRebuilt(patience);
    }

    /** Waits until every stored chunk is embedded and searchable; for tests and benchmarks. */
    public boolean awaitEmbedded(Duration patience) {
        if (!indexer.awaitRebuilt(patience)) {
            return false;
        }
        boolean done = embedding.map(e -> e.awaitIdle(patience)).orElse(true);
        catchUp();
        return indexer.awaitPurged(patience) && done;
    }

    /** Copies what the kernel accepted into episodic memory and brings the index up to date. */
    public void catchUp() {
        catchUp(false);
    }

    /**
     * As {@link #catchUp()}; {@code yielding}: for the background pass, which leaves the copying to
     * another node of a shared database that was seen copying a moment ago.
     */
    private void catchUp(boolean yielding) {
        ingest.lock();
        try {
            feed.catchUp(yielding);
        } finally {
            ingest.unlock();
        }
        indexer.catchUp();
    }

    private void wake() {
        wake.release();
    }

    private void loop() {
        long lastCommit = System.nanoTime();
        var failures = new RepeatedFailure();
        while (!closed) {
            try {
                wake.tryAcquire(1, TimeUnit.SECONDS);
                wake.drainPermits();
                if (closed) {
                    return;
                }
                indexCaughtUpSinceStart();
                if (yieldsToBacklog()) {
                    stopped.await(ASK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                    continue;
                }
                catchUp(true);
                if (System.nanoTime() - lastCommit > COMMIT_EVERY.toNanos()) {
                    indexer.commit();
                    indexer.mergeWhenIdle();
                    lastCommit = System.nanoTime();
                }
                failures.recovered();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!closed) {
                    failures.failed(e);
                }
            }
        }
    }

    /**
     * The background loop's failures, logged so that a lasting one (a full disk) does not write a
     * stack trace every second: the first with its stack, then once a minute while they go on how
     * often they came and the latest, and the recovery once it passed.
     */
    static final class RepeatedFailure {
        private static final long REPEAT_EVERY = Duration.ofMinutes(1).toNanos();

        private String last;
        private long since;
        private long loggedAt;
        private int count;

        void failed(RuntimeException e) {
            String what = e.toString();
            long now = System.nanoTime();
            // One failure while it lasts, though its words change from try to try (a full disk names
            // the file it could not write, which differs as the index is reopened and tries again).
            if (last == null) {
                last = what;
                since = now;
                loggedAt = now;
                count = 1;
                LOG.error("memory could not catch up with the kernel; it tries again every second", e);
                return;
            }
            count++;
            last = what;
            if (now - loggedAt >= REPEAT_EVERY) {
                loggedAt = now;
                LOG.error(
                        "memory still cannot catch up with the kernel ({} tries in {} s): {}",
                        count,
                        (now - since) / 1_000_000_000L,
                        what);
            }
        }

        void recovered() {
            if (last != null) {
                LOG.info(
                        "memory caught up with the kernel again after {} failed tries in {} s",
                        count,
                        (System.nanoTime() - since) / 1_000_000_000L);
                last = null;
            }
        }
    }

    /** Applies, once after the start, the changes the index had not applied before the last stop. */
    private void indexCaughtUpSinceStart() {
        if (!indexCaughtUp) {
            indexer.catchUp();
            indexCaughtUp = true;
        }
    }

    /**
     * Whether copying the feed waits now: while the workers have a backlog (thousands of timers came
     * due while aios was down), each copy would take the one writer from the runs. The feed keeps
     * everything, so memory copies it once they are through, or after {@link #YIELD_AT_MOST} if the
     * backlog lasts, and then yields again. Asks the kernel at most every {@link #ASK_EVERY}.
     */
    private boolean yieldsToBacklog() {
        long now = System.nanoTime();
        if (now - backlogAskedAt >= ASK_EVERY.toNanos()) {
            backlogged = host.backlogged();
            backlogAskedAt = now;
        }
        if (!backlogged) {
            yieldingSince = -1;
            return false;
        }
        if (yieldingSince < 0) {
            yieldingSince = now;
            LOG.info("memory copies the journal once the backlog of due work is through");
        }
        if (now - yieldingSince >= YIELD_AT_MOST.toNanos()) {
            yieldingSince = now;
            return false;
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        stopped.countDown();
        schedule.shutdownNow();
        indexer.stopPurging();
        embedding.ifPresent(EmbeddingWorker::close);
        wake();
        try {
            background.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            indexer.catchUp();
            indexer.commit();
        } catch (RuntimeException e) {
            LOG.warn("memory could not commit its index on close; it catches up on the next start: {}", e.toString());
        }
        index.close();
        embedder.ifPresent(Embedder::close);
    }
}
