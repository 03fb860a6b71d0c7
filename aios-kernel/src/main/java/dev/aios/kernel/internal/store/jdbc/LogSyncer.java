package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.StorageException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes committed batches durable apart from committing them, so that the writer goes on with the
 * next batch while the log of the last one is synced to disk: SQLite in WAL mode with synchronous
 * NORMAL commits without syncing its log, and this syncs it — one sync for every batch committed
 * since the last — before anyone hears of those batches (their callers, the workers they hand steps
 * to, the journal's listeners). A crash loses a batch committed but not synced yet together with
 * every batch after it, and nobody outside the writer was told of any of them; the writer's own
 * memory, which followed them, goes with the process.
 *
 * <p>When nothing else waits to be written, the writer syncs at once on its own thread, as a commit
 * with synchronous FULL would: a change written alone pays no hand-over between threads. A sync that
 * fails fails every batch it covers and every later one, and stops the writer: what was committed may
 * or may not be on disk, and only a restart (which reads back what is) can say.
 */
public final class LogSyncer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogSyncer.class);

    /** Syncs the database's log to disk: every commit made before it began is durable once it returns. */
    @FunctionalInterface
    public interface Sync {
        void sync() throws IOException;
    }

    /**
     * A committed batch waiting to be durable: what runs once it is (in order), and the futures to
     * fail if it cannot be.
     */
    record Batch(List<Runnable> release, List<CompletableFuture<?>> futures) {
        void run() {
            for (var action : release) {
                try {
                    action.run();
                } catch (RuntimeException | Error e) {
                    LOG.warn("telling of a committed write failed", e);
                }
            }
        }

        void fail(StorageException failure) {
            futures.forEach(f -> f.completeExceptionally(failure));
        }
    }

    private final Sync sync;
    private final String where;
    private final Consumer<String> onFailure;
    private final Object lock = new Object();
    /** Batches committed and not synced yet, oldest first; guarded by {@code lock}. */
    private final ArrayDeque<Batch> waiting = new ArrayDeque<>();
    /** Whether the syncing thread is syncing or releasing batches it took; guarded by {@code lock}. */
    private boolean busy;

    private boolean stopping;
    /** Why syncing failed, once it has; every batch committed from then on fails. */
    private volatile StorageException failed;

    private final Thread thread;

    /**
     * @param sync syncs the log
     * @param where the database's location, for error messages
     * @param onFailure told, with the reason, when a sync fails (the writer stops for good)
     */
    LogSyncer(Sync sync, String where, Consumer<String> onFailure) {
        this.sync = sync;
        this.where = where;
        this.onFailure = onFailure;
        this.thread = Thread.ofPlatform().name("aios-log-sync").daemon().unstarted(this::loop);
        this.thread.start();
    }

    /**
     * Takes {@code batch}, just committed, on the writer's thread: syncs and releases it at once
     * when {@code nothingQueued} and no earlier batch is still being synced, or else leaves it to the
     * syncing thread and returns, so that the writer goes on with the next batch.
     */
    void committed(Batch batch, boolean nothingQueued) {
        synchronized (lock) {
            if (failed == null && !(nothingQueued && waiting.isEmpty() && !busy)) {
                waiting.add(batch);
                lock.notifyAll();
                return;
            }
        }
        var failure = failed;
        if (failure != null) {
            batch.fail(failure);
            return;
        }
        // Nothing earlier is unsynced and only this thread adds batches: syncing here keeps the order.
        if (syncNow(List.of(batch))) {
            batch.run();
        }
    }

    private void loop() {
        while (true) {
            List<Batch> taken;
            synchronized (lock) {
                while (waiting.isEmpty() && !stopping) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // stopping is what ends the loop
                    }
                }
                if (waiting.isEmpty()) {
                    return;
                }
                taken = new ArrayList<>(waiting);
                waiting.clear();
                busy = true;
            }
            try {
                if (failed != null) {
                    taken.forEach(b -> b.fail(failed));
                } else if (syncNow(taken)) {
                    taken.forEach(Batch::run);
                }
            } finally {
                synchronized (lock) {
                    busy = false;
                    lock.notifyAll();
                }
            }
        }
    }

    /** Syncs the log for {@code batches}; on failure fails them and everything after, and says so. */
    private boolean syncNow(List<Batch> batches) {
        try {
            sync.sync();
            return true;
        } catch (IOException | RuntimeException e) {
            var failure = new StorageException(
                    "the database at " + where + " committed this change but could not sync its log to disk ("
                            + e.getMessage() + "): it may be lost. Restart aios; check the disk.",
                    e);
            failed = failure;
            LOG.error("syncing the log of the database at {} failed; the writer stops", where, e);
            // Stopped before anyone hears of the failure, so that nobody writes again in between.
            onFailure.accept("syncing its log to disk failed (" + e.getMessage() + ")");
            batches.forEach(b -> b.fail(failure));
            List<Batch> later;
            synchronized (lock) {
                later = new ArrayList<>(waiting);
                waiting.clear();
            }
            later.forEach(b -> b.fail(failure));
            return false;
        }
    }

    /** Syncs and releases every batch committed so far, then stops the syncing thread. */
    @Override
    public void close() {
        synchronized (lock) {
            stopping = true;
            lock.notifyAll();
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
