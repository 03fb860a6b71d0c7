package dev.aios.memory.internal;

import dev.aios.memory.internal.Rows.Change;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the index caught up with memory's tables by applying their list of changes in order; it is
 * the only writer of the index. Callers that need their change searchable catch up themselves
 * ({@link #catchUp()}); a background pass picks up the rest and commits every few seconds.
 */
final class Indexer {
    private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);
    private static final int BATCH = 500;

    /** After this long without a change to apply, the index is merged if it is scattered. */
    static final Duration IDLE = Duration.ofSeconds(5);

    private final ItemStore store;
    private final MemoryIndex index;
    private final java.time.InstantSource clock;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile long applied;
    /** When the index last took a change ({@link System#nanoTime()}). */
    private volatile long lastChange = System.nanoTime();

    private long committed;
    private final AtomicLong purgeRequested = new AtomicLong();
    private final Set<String> forgotten = ConcurrentHashMap.newKeySet();
    private volatile boolean resumed;
    private volatile boolean closed;
    private final AtomicLong purgeDone = new AtomicLong();
    private final ExecutorService purges = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("aios-memory-purge").daemon().factory());

    Indexer(ItemStore store, MemoryIndex index, java.time.InstantSource clock) {
        this.store = store;
        this.index = index;
        this.clock = clock;
        this.applied = index.applied();
        this.committed = applied;
    }

    /** The index: read it freely; write it only through this indexer. */
    MemoryIndex index() {
        return index;
    }

    /**
     * Makes the index ready to follow the tables' changes: fills it when it is fresh, and empties and
     * fills it again when changes it had not applied were dropped meanwhile (on a shared database,
     * after the node was away longer than the others keep changes for it).
     */
    void open() {
        if (index.fresh()) {
            rebuild();
            return;
        }
        long pruned = store.prunedUpTo();
        if (pruned > index.applied()) {
            LOG.warn(
                    "the memory index includes changes up to {}, but those up to {} were dropped while this node"
                            + " was away; it is rebuilt from memory's tables",
                    index.applied(),
                    pruned);
            clearAndRebuild();
        }
    }

    private void clearAndRebuild() {
        lock.lock();
        try {
            index.clear();
            rebuild();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rebuild the memory index: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Fills a fresh index from the tables: every chunk, with its stored vector. */
    void rebuild() {
        lock.lock();
        try {
            long upTo = store.lastChange();
            // Named among the followers first (on a shared database), so that no other node drops
            // what this one has yet to apply.
            store.follow(index.follower(), upTo, clock.instant());
            long after = 0;
            int chunks = 0;
            long started = System.nanoTime();
            while (true) {
                var page = store.scan(after, 1000);
                if (page.isEmpty()) {
                    break;
                }
                index.put(page.stream().map(java.util.Map.Entry::getValue).toList());
                after = page.getLast().getKey();
                chunks += page.size();
            }
            applied = upTo;
            lastChange = System.nanoTime();
            commitNow();
            index.refresh();
            LOG.info(
                    "memory index rebuilt from the database: {} chunks in {} ms",
                    chunks,
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rebuild the memory index: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Applies every change made so far and makes it searchable. */
    void catchUp() {
        lock.lock();
        try {
            boolean changed = false;
            while (true) {
                var changes = store.changesAfter(applied, BATCH);
                if (changes.isEmpty()) {
                    break;
                }
                var docs = store.changed(changes);
                for (var change : changes) {
                    apply(change, docs);
                }
                applied = changes.getLast().seq();
                changed = true;
            }
            if (changed) {
                lastChange = System.nanoTime();
                index.refresh();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update the memory index: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies one change with the documents read for its page of changes: the tables as they are now,
     * which is what applying the changes one by one would read too (a later write has a change of its
     * own, applied after this one).
     */
    private void apply(Change change, ItemStore.Changed docs) throws IOException {
        switch (change.op()) {
            case Change.ITEM -> index.replaceItem(change.key(), docs.items().getOrDefault(change.key(), List.of()));
            case Change.CHUNK -> {
                var doc = docs.chunks().get(change.key());
                if (doc == null) {
                    index.deleteKey(change.key());
                } else {
                    index.put(List.of(doc));
                }
            }
            case Change.SUBJECT -> index.deleteSubject(change.key());
            default -> LOG.warn("memory index: unknown change '{}' skipped", change.op());
        }
    }

    /**
     * For forgetting: catches up (the subject's documents are deleted, so no search finds them) and
     * commits at once; then rewrites the segments that held them in the background, so that no term
     * of the subject stays on disk. That rewrite takes long on a large index (it rebuilds their HNSW
     * graphs), so it does not hold up forgetting, storing or recalling.
     */
    void forget(String subject) {
        lock.lock();
        try {
            catchUp();
            forgotten.add(subject);
            purgeRequested.incrementAndGet();
            commitNow();
        } finally {
            lock.unlock();
        }
        purges.execute(this::purge);
    }

    /** Resumes a purge the last process did not finish: then every deleted document goes. */
    void resumePurge() {
        if (index.purgePending()) {
            resumed = true;
            purgeRequested.incrementAndGet();
            purges.execute(this::purge);
        }
    }

    private void purge() {
        long generation = purgeRequested.get();
        if (generation <= purgeDone.get()) {
            return;
        }
        var subjects = resumed ? Optional.<Set<String>>empty() : Optional.<Set<String>>of(Set.copyOf(forgotten));
        try {
            long started = System.nanoTime();
            index.purge();
            // A merge that was running when the subject was forgotten carries its deleted documents
            // over; wait for it, and merge again, until no segment holds them.
            while (index.holdsDeleted(subjects)) {
                if (closed) {
                    return;
                }
                Thread.sleep(200);
                index.purge();
            }
            lock.lock();
            try {
                purgeDone.set(generation);
                if (generation == purgeRequested.get()) {
                    forgotten.removeAll(subjects.orElse(Set.of()));
                    resumed = false;
                }
                commitNow();
                index.refresh();
            } finally {
                lock.unlock();
            }
            LOG.info(
                    "memory index: forgotten documents rewritten away in {} ms",
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.error("memory index: could not rewrite forgotten documents away; the next start tries again", e);
            }
        }
    }

    /** Whether forgotten documents still wait to be rewritten away. */
    boolean purging() {
        return purgeDone.get() < purgeRequested.get();
    }

    /** Waits until no purge is pending, at most {@code patience}. */
    boolean awaitPurged(Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (purging()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Stops purging; a purge still running is resumed on the next start. Threads working on the
     * index are never interrupted: an interrupt closes Lucene's files under it.
     */
    void stopPurging() {
        closed = true;
        purges.shutdown();
    }

    /**
     * Commits what was applied, if anything was since the last commit, then drops the changes it
     * includes; commits a merge that ended since as well, and searches its segment from then on, so
     * that the next start opens the index as merged as this process left it.
     */
    void commit() {
        lock.lock();
        try {
            if (committed != applied || index.changedSinceCommit()) {
                commitNow();
                index.refresh();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot refresh the memory index: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * When no change came for {@link #IDLE}, and nothing is being forgotten, merges a scattered index
     * in the background ({@link MemoryIndex#mergeWhenScattered()}): a bulk import or a rebuild leaves
     * several large segments, and many small writes many small ones, each searched on its own by every
     * recall. Nothing waits for the merge; the next commit keeps it.
     */
    void mergeWhenIdle() {
        if (closed || purging() || System.nanoTime() - lastChange < IDLE.toNanos()) {
            return;
        }
        try {
            if (index.mergeWhenScattered()) {
                LOG.debug("memory index: merging {} segments while idle", index.segments());
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.warn("memory index: could not start merging its segments: {}", e.toString());
            }
        }
    }

    private void commitNow() {
        try {
            index.commit(applied, purging());
            committed = applied;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit the memory index: " + e.getMessage(), e);
        }
        long pruned = store.pruneChanges(index.follower(), committed, clock.instant());
        if (pruned > committed) {
            LOG.warn(
                    "the memory index includes changes up to {}, but those up to {} were dropped meanwhile; it is"
                            + " rebuilt from memory's tables",
                    committed,
                    pruned);
            clearAndRebuild();
        }
    }

    long applied() {
        return applied;
    }
}
