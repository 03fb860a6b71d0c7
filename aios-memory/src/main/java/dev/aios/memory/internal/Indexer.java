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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the index caught up with memory's tables by applying their list of changes in order; it is
 * the only writer of the index. Callers that need their change found by the next search catch up
 * themselves ({@link #catchUp()}); a background pass picks up the rest, makes it searchable and
 * commits every few seconds.
 */
final class Indexer {
    private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);
    private static final int BATCH = 500;

    /**
     * Up to this many chunks (well under a second's work) an index that must be filled is filled
     * before memory opens; a larger one in the background, so that the start is not held up.
     */
    static final int REBUILT_AT_ONCE = 1_000;

    /** After this long without a change to apply, the index is merged if it is scattered. */
    static final Duration IDLE = Duration.ofSeconds(5);

    /**
     * Changes applied within this of each other are made searchable together in the background,
     * once they pause this long, so that a search a moment after a store does not pay for it.
     */
    static final Duration QUIET = Duration.ofMillis(10);

    /** While changes keep coming, they are made searchable in the background at least this often. */
    static final Duration SEARCHABLE_WITHIN = Duration.ofSeconds(1);

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
    /** The error after which Lucene last closed the index's writer, to log it once while it repeats. */
    private String lastBroken = "";
    /** Why the index is being rebuilt, or must be: searches and commits wait until it is empty again. */
    private volatile Optional<String> due = Optional.empty();
    /** Why the last rebuild failed, or empty; the index stays refused until a rebuild succeeds. */
    private volatile Optional<String> failure = Optional.empty();

    /** The running rebuild, or null. */
    private volatile RebuildProgress progress;

    private final ExecutorService rebuilds = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("aios-memory-rebuild").daemon().factory());
    private final ExecutorService purges = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("aios-memory-purge").daemon().factory());
    private final ScheduledThreadPoolExecutor refresher = new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().name("aios-memory-refresh").daemon().factory());
    /** Whether a refresh in the background is scheduled. */
    private final AtomicBoolean refreshing = new AtomicBoolean();

    /** When the first change the scheduled refresh covers was applied ({@link System#nanoTime}). */
    private volatile long unrefreshedSince;

    Indexer(ItemStore store, MemoryIndex index, java.time.InstantSource clock) {
        this.store = store;
        this.index = index;
        this.clock = clock;
        this.applied = index.applied();
        this.committed = applied;
        // A refresh waiting for changes to pause is dropped when memory stops; one running ends first.
        refresher.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** The index: read it freely; write it only through this indexer. */
    MemoryIndex index() {
        return index;
    }

    /**
     * Makes the index ready to follow the tables' changes. When it must be filled first (it is fresh,
     * or changes it had not applied were dropped meanwhile: on a shared database, after the node was
     * away longer than the others keep changes for it), a small store is indexed here and now; a
     * larger one is left to {@link #rebuildInBackground()}, and searches wait for it meanwhile.
     */
    void open() {
        if (index.fresh()) {
            due = Optional.of(index.staleBecause());
        } else {
            long pruned = store.prunedUpTo();
            if (pruned > index.applied()) {
                LOG.warn(
                        "the memory index includes changes up to {}, but those up to {} were dropped while this"
                                + " node was away; it is rebuilt from memory's tables",
                        index.applied(),
                        pruned);
                due = Optional.of("changes it lacked were dropped while this node was away");
            }
        }
        if (due.isPresent() && store.chunkCount() <= REBUILT_AT_ONCE) {
            rebuild();
        }
    }

    /** Whether the index is being rebuilt (or is about to be): then it answers no search. */
    boolean rebuilding() {
        return due.isPresent();
    }

    /** The index's state: ready, or how far the running rebuild got. */
    dev.aios.memory.IndexState state() {
        var why = due;
        if (why.isEmpty()) {
            return dev.aios.memory.IndexState.ready(index.size());
        }
        var failed = failure;
        if (failed.isPresent()) {
            return new dev.aios.memory.IndexState(
                    dev.aios.memory.IndexState.Phase.FAILED,
                    0,
                    0,
                    why.get() + "; the rebuild failed: " + failed.get(),
                    index.size());
        }
        var running = progress;
        return running == null
                ? new dev.aios.memory.IndexState(
                        dev.aios.memory.IndexState.Phase.REBUILDING, 0, store.chunkCount(), why.get(), index.size())
                : new dev.aios.memory.IndexState(
                        dev.aios.memory.IndexState.Phase.REBUILDING,
                        running.done(),
                        running.total(),
                        running.reason(),
                        index.size());
    }

    /**
     * Asks for the index to be rebuilt from the tables (after a model change, or when it is thought
     * damaged); the rebuild runs in the background.
     *
     * @return false when a rebuild is already running or due (nothing more is started)
     */
    boolean requestRebuild(String reason) {
        synchronized (this) {
            if (due.isPresent() && failure.isEmpty()) {
                return false;
            }
            due = Optional.of(reason);
            failure = Optional.empty();
        }
        rebuildInBackground();
        return true;
    }

    /** Runs the rebuild that is due, if one is, on a background thread. */
    void rebuildInBackground() {
        if (due.isPresent() && !closed) {
            rebuilds.execute(() -> {
                try {
                    rebuild();
                } catch (RuntimeException e) {
                    if (!closed) {
                        failure = Optional.of(String.valueOf(e.getMessage()));
                        LOG.error(
                                "memory index: the rebuild failed; searches stay refused until a rebuild succeeds"
                                        + " (aios memory reindex, or the next start)",
                                e);
                    }
                }
            });
        }
    }

    private void clearAndRebuild(String reason) {
        due = Optional.of(reason);
        rebuild();
    }

    /**
     * Fills the index again from the tables, every chunk with its stored vector, if a rebuild is due.
     * It first commits the emptied index as incomplete, so that a rebuild cut short is started again
     * on the next start; the index is written page by page, so that storing goes on meanwhile (what is
     * stored meanwhile is applied from the list of changes at the end).
     */
    void rebuild() {
        var why = due;
        if (why.isEmpty()) {
            return;
        }
        long upTo;
        RebuildProgress running;
        lock.lock();
        try {
            // This is the rebuild: reopened, the index is filled here, not by another one.
            reopenIfBroken(false);
            upTo = store.lastChange();
            // Named among the followers first (on a shared database), so that no other node drops
            // what this one has yet to apply.
            store.follow(index.follower(), upTo, clock.instant());
            index.clear();
            index.commitIncomplete();
            running = new RebuildProgress(LOG, why.get(), store.chunkCount());
            progress = running;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rebuild the memory index: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
        try {
            long after = 0;
            while (!closed) {
                var page = store.scan(after, 1000);
                if (page.isEmpty()) {
                    break;
                }
                lock.lock();
                try {
                    index.put(page.stream().map(java.util.Map.Entry::getValue).toList());
                } finally {
                    lock.unlock();
                }
                after = page.getLast().getKey();
                running.advanced(page.size());
            }
            if (closed) {
                running.stopped();
                return;
            }
            lock.lock();
            try {
                applied = upTo;
                lastChange = System.nanoTime();
                applyChanges();
                commitNow();
                index.refresh();
                // Said before the index is ready: whoever waits for it finds the rebuild logged.
                running.finished();
                due = Optional.empty();
            } finally {
                lock.unlock();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rebuild the memory index: " + e.getMessage(), e);
        } finally {
            progress = null;
        }
        if (!forgotten.isEmpty()) {
            // Subjects forgotten during the rebuild were deleted from the index only now.
            purgeRequested.incrementAndGet();
            purges.execute(this::purge);
        }
    }

    /** Waits until no rebuild is due or running, at most {@code patience}; false when it failed. */
    boolean awaitRebuilt(Duration patience) {
        return await(() -> due.isEmpty(), () -> closed || failure.isPresent(), patience);
    }

    /**
     * Waits until {@code done}, checking every 20 ms, at most {@code patience}; false when it gave up
     * (out of patience, {@code hopeless}, or interrupted).
     */
    private static boolean await(
            java.util.function.BooleanSupplier done, java.util.function.BooleanSupplier hopeless, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline || hopeless.getAsBoolean()) {
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
     * Applies every change made so far, so that the next search finds it (a search makes what was
     * applied visible first, see {@link MemoryIndex#stale}); while the index is rebuilt, nothing (the
     * rebuild applies them when it ends).
     */
    void catchUp() {
        if (due.isPresent()) {
            return;
        }
        lock.lock();
        try {
            for (int attempt = 1; ; attempt++) {
                reopenIfBroken();
                if (due.isPresent()) {
                    return;
                }
                try {
                    applyChanges();
                    return;
                } catch (RuntimeException e) {
                    // Lucene closed its writer while applying them: reopened, the index applies them
                    // again, once; a second failure is the caller's.
                    if (index.broken().isEmpty()) {
                        throw e;
                    }
                    if (attempt == 2) {
                        throw new IllegalStateException(
                                "memory's search index cannot be written (" + e.getMessage() + "); what was stored"
                                        + " is kept in memory's tables and becomes searchable once the index takes"
                                        + " writes again (memory tries every second)",
                                e);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * When Lucene closed the index's writer after an error it cannot recover from ({@link
     * MemoryIndex#broken}), opens the index again from its last commit and takes up from there: the
     * changes since are applied again from the tables (they are dropped only up to a commit), a
     * purge under way starts again, and an index whose commit cannot be used is rebuilt. Without
     * this, memory refused every store until the next start. Called with the lock held.
     */
    private void reopenIfBroken() {
        reopenIfBroken(true);
    }

    private void reopenIfBroken(boolean rebuildInBackground) {
        var broken = index.broken();
        if (broken.isEmpty() || closed) {
            return;
        }
        String cause = broken.get().toString();
        if (cause.equals(lastBroken)) {
            // The same error again (the disk is still full, say): one line, not its trace each time.
            LOG.warn("memory index: Lucene closed its writer again after the same error ({}); reopened", cause);
        } else {
            LOG.error(
                    "memory index: Lucene closed its writer after an error ({}); it is reopened from its last commit"
                            + " and what was applied since is applied again from memory's tables",
                    cause,
                    broken.get());
            lastBroken = cause;
        }
        MemoryIndex.Reopened reopened;
        try {
            reopened = index.reopen();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot reopen the memory index after Lucene closed it: " + e.getMessage() + "; the next"
                            + " store tries again (or restart aios)",
                    e);
        }
        if (!reopened.staleBecause().isEmpty()) {
            applied = 0;
            committed = 0;
            due = Optional.of(reopened.staleBecause());
            failure = Optional.empty();
            if (rebuildInBackground) {
                rebuildInBackground();
            }
            return;
        }
        applied = reopened.applied();
        committed = applied;
        if (purging()) {
            // The purge under way ran on the closed writer: it starts again on every deleted document.
            resumed = true;
            purges.execute(this::purge);
        }
    }

    /** Applies the changes after {@link #applied}, with the lock held. */
    private void applyChanges() {
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
                // Searchable from the next search, which refreshes first, or once changes pause.
                lastChange = System.nanoTime();
                refreshSoon();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update the memory index: " + e.getMessage(), e);
        }
    }

    /** Schedules a refresh in the background for the changes just applied, unless one is scheduled. */
    private void refreshSoon() {
        if (refreshing.compareAndSet(false, true)) {
            unrefreshedSince = System.nanoTime();
            refreshIn(QUIET.toNanos());
        }
    }

    private void refreshIn(long nanos) {
        try {
            refresher.schedule(this::refreshWhenQuiet, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopped) {
            refreshing.set(false);
        }
    }

    /**
     * Refreshes once changes paused for {@link #QUIET}, or {@link #SEARCHABLE_WITHIN} after the first
     * of them; otherwise looks again when they would have paused that long.
     */
    private void refreshWhenQuiet() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        long quiet = now - lastChange;
        if (quiet < QUIET.toNanos() && now - unrefreshedSince < SEARCHABLE_WITHIN.toNanos()) {
            refreshIn(QUIET.toNanos() - quiet);
            return;
        }
        // Cleared first: a change from here on schedules the next refresh.
        refreshing.set(false);
        try {
            refreshSearches();
        } catch (RuntimeException e) {
            // The next search, or the background pass, meets the same failure and reports it.
            LOG.debug("memory index: refresh in the background failed: {}", e.toString());
        }
    }

    /** Makes the changes applied so far visible to searches when some are not yet. */
    private void refreshSearches() {
        if (due.isPresent() || !index.stale() || index.broken().isPresent()) {
            return;
        }
        try {
            index.refresh();
        } catch (org.apache.lucene.store.AlreadyClosedException e) {
            // Lucene closed the writer meanwhile: the next catch-up reopens it.
        } catch (IOException e) {
            throw new UncheckedIOException("cannot refresh the memory index: " + e.getMessage(), e);
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
            reopenIfBroken();
            forgotten.add(subject);
            if (due.isPresent()) {
                // The rebuild deletes the subject's documents when it ends, then rewrites them away.
                return;
            }
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
                if (due.isEmpty()) {
                    // A rebuild started meanwhile commits when it ends; a commit now would take its
                    // half-filled index as complete.
                    commitNow();
                }
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
                LOG.error(
                        "memory index: could not rewrite forgotten documents away; it tries again when the index"
                                + " is reopened after the error, or at the next start",
                        e);
            }
        }
    }

    /** Whether forgotten documents still wait to be rewritten away. */
    boolean purging() {
        return purgeDone.get() < purgeRequested.get();
    }

    /** Waits until no purge is pending, at most {@code patience}. */
    boolean awaitPurged(Duration patience) {
        return await(() -> !purging(), () -> false, patience);
    }

    /**
     * Stops purging and refreshing in the background; a purge still running is resumed on the next
     * start. Threads working on the index are never interrupted: an interrupt closes Lucene's files
     * under it.
     */
    void stopPurging() {
        closed = true;
        refresher.shutdown();
        purges.shutdown();
        rebuilds.shutdown();
        try {
            if (!refresher.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("memory index: a refresh did not end within 30 s");
            }
            // A rebuild stops at the end of its page; the index must not close under it.
            if (!rebuilds.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("memory index: the rebuild did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Commits what was applied, if anything was since the last commit, then drops the changes it
     * includes; commits a merge that ended since as well, and searches its segment from then on, so
     * that the next start opens the index as merged as this process left it.
     */
    void commit() {
        if (due.isPresent()) {
            return;
        }
        lock.lock();
        try {
            reopenIfBroken();
            if (due.isPresent()) {
                return;
            }
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
            clearAndRebuild("changes it lacked were dropped meanwhile");
        }
    }

    long applied() {
        return applied;
    }
}
