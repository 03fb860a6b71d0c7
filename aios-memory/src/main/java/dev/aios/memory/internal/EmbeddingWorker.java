package dev.aios.memory.internal;

import dev.aios.memory.spi.Embedder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds chunks in the background, oldest first, in batches. The queue is the set of chunks stored
 * without a vector, so it survives restarts and holds no text in memory; on a database several nodes
 * share, each node claims the batch it takes ({@link VectorStore#take}), so that no chunk is embedded
 * twice; storing more waits while it is longer than the limit ({@link #awaitRoom}). While a backlog
 * drains, the index is told about new vectors at most every two seconds rather than after every batch
 * (each catch-up writes a small index segment that must be merged later), and when the backlog is
 * empty and writes are quiet.
 *
 * <p>While a client stores items one after the other, the worker gathers them before it embeds
 * ({@link #GATHER}): it waits until the writes go quiet, a batch has arrived, or the first of them
 * waited {@link #GATHER_AT_MOST}, so that one model call and one catch-up of the index serve several
 * items, and the model does not take a core from every store while it runs. The stores themselves
 * catch the index up with whatever vectors were stored meanwhile, so the worker tells the index only
 * once the writes have gone quiet.
 */
final class EmbeddingWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingWorker.class);
    private static final int BATCH = 64;
    /**
     * How often the index hears of new vectors while a backlog drains. Each catch-up writes a segment
     * that merges rebuild into larger HNSW graphs; fewer, larger segments cut a bulk import's CPU by about
     * a tenth (measured with 0.5 s against 2 s).
     */
    private static final Duration INDEX_EVERY = Duration.ofSeconds(2);

    /** Writes are quiet when none came for this long: then what arrived is embedded. */
    static final Duration GATHER = Duration.ofMillis(50);

    /** While writes keep coming, the first item stored waits at most this long before it is embedded. */
    static final Duration GATHER_AT_MOST = Duration.ofSeconds(1);

    /** How long a count of the waiting chunks is trusted (another node may store chunks too). */
    private static final Duration COUNT_EVERY = Duration.ofSeconds(1);

    private final VectorStore store;
    private final Embedder embedder;
    private final Sealer sealer;
    private final Runnable afterBatch;
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private volatile boolean closed;
    private volatile long embedded;
    /**
     * Whether the worker is taking a batch, embedding it or telling the index of it: its chunks may
     * no longer count as waiting while {@link #embedded} and the index do not show them yet.
     */
    private volatile boolean busy;

    private volatile String lastFailure = "";
    /** Chunks stored since the worker last took a batch. */
    private final AtomicLong arrived = new AtomicLong();
    /** When the first of {@link #arrived} was stored ({@link System#nanoTime()}). */
    private volatile long firstArrived;
    /** When a chunk was last stored ({@link System#nanoTime()}). */
    private volatile long lastWrite = System.nanoTime() - GATHER.toNanos();
    /**
     * How many chunks waited at the last count (-1: not counted yet), and how many were stored since
     * through this worker: at most their sum waits, unless another node stored some, so the count is
     * taken again after {@link #COUNT_EVERY}.
     */
    private volatile long counted = -1;

    private volatile long countedAt;

    private final AtomicLong storedSinceCount = new AtomicLong();
    /** Whether the last batch was full, that is a backlog drains: then nothing is gathered. */
    private boolean draining;
    /** Whether vectors were stored that the index has not been told about. */
    private boolean unindexed;

    private long lastIndexed = System.nanoTime();

    EmbeddingWorker(VectorStore store, Embedder embedder, Sealer sealer, Runnable afterBatch) {
        this.store = store;
        this.embedder = embedder;
        this.sealer = sealer;
        this.afterBatch = afterBatch;
        this.thread = Thread.ofPlatform().name("aios-memory-embed").daemon().unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** Tells the worker there is something to embed. */
    void wake() {
        wake.release();
    }

    /** Tells the worker that {@code chunks} were stored to be embedded, by a client that may store more. */
    void stored(int chunks) {
        long now = System.nanoTime();
        if (arrived.getAndAdd(chunks) == 0) {
            firstArrived = now;
        }
        storedSinceCount.addAndGet(chunks);
        lastWrite = now;
        wake.release();
    }

    /** Chunks embedded since start. */
    long embedded() {
        return embedded;
    }

    /** Why the last batch failed, or "". */
    String lastFailure() {
        return lastFailure;
    }

    /**
     * Waits while more than {@code limit} chunks wait to be embedded, at most {@code patience}.
     *
     * @throws IllegalStateException when embedding does not catch up in time
     */
    void awaitRoom(long limit, Duration patience) {
        if (counted >= 0
                && System.nanoTime() - countedAt < COUNT_EVERY.toNanos()
                && counted + storedSinceCount.get() <= limit) {
            return; // fewer wait than were counted last time, and stored since: no need to count
        }
        long deadline = System.nanoTime() + patience.toNanos();
        long waiting;
        while (true) {
            storedSinceCount.set(0);
            waiting = store.waitingCount();
            countedAt = System.nanoTime();
            counted = waiting;
            if (waiting <= limit) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("memory is " + waiting + " chunks behind with embedding; store this"
                        + " again in a minute, or raise memory.limits.maxWaiting");
            }
            wake();
            sleep(Duration.ofMillis(100));
        }
    }

    /**
     * Waits until no chunk waits to be embedded and the worker has finished the batch it took (counted
     * and told the index of it), at most {@code patience}; returns whether it got there.
     */
    boolean awaitIdle(Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (store.waitingCount() > 0 || busy) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            wake();
            sleep(Duration.ofMillis(20));
        }
        return true;
    }

    private void loop() {
        long pause = 0;
        List<Rows.Waiting> batch = List.of();
        while (!closed) {
            try {
                if (pause > 0) {
                    wake.tryAcquire(pause, TimeUnit.MILLISECONDS);
                }
                if (!draining) {
                    gather();
                }
                arrived.set(0);
                // Before the take: once it has claimed or read the chunks, they may not count as waiting.
                busy = true;
                batch = store.take(BATCH);
                draining = batch.size() == BATCH;
                if (batch.isEmpty()) {
                    indexNow();
                    busy = false;
                    wake.tryAcquire(1, TimeUnit.SECONDS);
                    wake.drainPermits();
                    pause = 0;
                    continue;
                }
                embed(batch);
                busy = false;
                batch = List.of();
                pause = 0;
                lastFailure = "";
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                indexNow(); // what was embedded before the failure
                lastFailure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                release(batch);
                busy = false;
                batch = List.of();
                pause = Math.min(Math.max(pause * 2, 1_000), 60_000);
                LOG.warn("memory could not embed chunks, trying again in {} ms: {}", pause, lastFailure);
            }
        }
    }

    /**
     * Waits while writes keep coming: until none came for {@link #GATHER}, a batch's worth arrived, or
     * the first of them waited {@link #GATHER_AT_MOST}.
     */
    private void gather() throws InterruptedException {
        long deadline = (arrived.get() == 0 ? System.nanoTime() : firstArrived) + GATHER_AT_MOST.toNanos();
        while (!closed && arrived.get() < BATCH) {
            long now = System.nanoTime();
            long quietIn = lastWrite + GATHER.toNanos() - now;
            if (quietIn <= 0 || now >= deadline) {
                return;
            }
            wake.tryAcquire(Math.min(quietIn, deadline - now), TimeUnit.NANOSECONDS);
        }
    }

    private void embed(List<Rows.Waiting> batch) {
        // A subject forgotten while its chunks waited: sealing a vector for it would make it a new key.
        var forgotten = new HashSet<String>();
        batch.stream()
                .map(Rows.Waiting::subject)
                .distinct()
                .filter(sealer::isForgotten)
                .forEach(forgotten::add);
        var kept = new ArrayList<Rows.Waiting>();
        batch.stream().filter(w -> !forgotten.contains(w.subject())).forEach(kept::add);
        if (kept.isEmpty()) {
            sleep(Duration.ofMillis(50));
            return;
        }
        var vectors = embedder.embed(kept.stream().map(Rows.Waiting::text).toList());
        store.embedded(kept, vectors, embedder.model());
        embedded += kept.size();
        unindexed = true;
        if (System.nanoTime() - lastIndexed >= INDEX_EVERY.toNanos()) {
            indexNow();
        }
    }

    /** Gives back what this node claimed and could not embed; should that fail too, the claim lapses. */
    private void release(List<Rows.Waiting> batch) {
        try {
            store.release(batch);
        } catch (RuntimeException e) {
            LOG.debug("memory could not give back its claim on {} chunks; it lapses: {}", batch.size(), e.toString());
        }
    }

    private void indexNow() {
        if (unindexed) {
            unindexed = false;
            lastIndexed = System.nanoTime();
            afterBatch.run();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        wake();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
