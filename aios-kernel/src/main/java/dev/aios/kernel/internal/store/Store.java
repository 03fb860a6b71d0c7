package dev.aios.kernel.internal.store;

import dev.aios.kernel.spi.Storage;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where the kernel keeps its journal, event log and derived state: one store per installation,
 * reached only through the domain operations of {@link Tx}, so the engine holds no SQL and any
 * store that passes the contract suite can run it. The SQLite store is embedded and owns its data
 * directory; a shared store (PostgreSQL) serves several nodes at once.
 *
 * <p>Writes are units of work: each runs in a transaction with the others committed with it
 * (group commit), and either all of a unit is recorded or none. A unit that fails is rolled back
 * alone. Reads see one committed moment.
 */
public interface Store extends AutoCloseable {

    /**
     * A unit of work against the store. A unit may run more than once before it is recorded (on
     * PostgreSQL it runs again when the unit before it turns out to have failed in the message that
     * carried its first statement): what it does besides writing goes through {@link
     * Tx#afterCommit} (dropped when that run is undone) or is undone by {@link Tx#onRollback}.
     */
    @FunctionalInterface
    interface Unit<T> {
        T run(Tx tx) throws Exception;
    }

    /**
     * Runs {@code unit} in the next commit and waits until it is durable. Called from inside
     * another unit, it runs at once in that unit's transaction and is undone with it.
     *
     * @throws dev.aios.kernel.StorageException when the store cannot be written
     */
    <T> T write(Unit<T> unit);

    /** Queues {@code unit} for the next commit. */
    <T> CompletableFuture<T> submit(Unit<T> unit);

    /** Runs {@code unit} in a read-only transaction: everything it reads is of one committed moment. */
    <T> T read(Unit<T> unit);

    /** Whether the caller is inside a unit of {@link #write}. */
    boolean inWrite();

    /** Why writes fail, while they do. */
    Optional<String> failing();

    /** What the store has committed so far. */
    Commits commits();

    /**
     * Makes sure data deleted or overwritten so far leaves no old copy the store keeps for itself
     * (a write-ahead log), e.g. after a subject was forgotten.
     *
     * @return whether it is done: false when something still held an old copy (try again)
     */
    CompletableFuture<Boolean> purge();

    /**
     * Calls {@code action} once, with the reason, if the store stops taking writes for good (its
     * connection broke): nothing can be recorded any more until aios is restarted.
     */
    void onBroken(java.util.function.Consumer<String> action);

    /** Why the store stopped taking writes for good, if it has. */
    Optional<String> broken();

    /**
     * Calls {@code action}, soon after, whenever another node sharing the store commits (so that due
     * work is picked up at once rather than at the next poll). A store that is the only writer of
     * its database never calls it.
     */
    void onCommitElsewhere(Runnable action);

    /**
     * How many times a subject was forgotten (its keys destroyed) by any node sharing the store, as
     * far as this node knows: what keys kept in memory must follow. Inside a unit of {@link #write}
     * it is the count as of that unit's transaction, and no other node's forget commits before that
     * transaction does; elsewhere it is the count last heard of, a forget elsewhere being heard
     * within moments. A store that is the only writer of its database says 0: its own forgets are
     * all there are, and the node follows them as they commit.
     */
    default long forgets() {
        return 0;
    }

    /** The store for an extension's own tables. */
    Storage extensions();

    /** The kernel's migrations applied when this store was opened, e.g. {@code V10 nodes}; empty when none were due. */
    java.util.List<String> migrated();

    /**
     * A fresh, empty store of the same kind, deleted on close, for replaying the journal beside the
     * real one (verification).
     */
    Store scratch();

    /** Where the store is, for messages: a file, or a database URL without credentials. */
    String location();

    /** Hears of every commit: how many units of work it carried and how long it took. */
    @FunctionalInterface
    interface CommitObserver {
        void committed(int units, long nanos);
    }

    /** Tells {@code observer} of every commit from now on (for metrics). */
    void observeCommits(CommitObserver observer);

    /** Records the store's own metrics (its connection pool) in {@code registry}. */
    void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry);

    /** Closes the store after committing what is queued. */
    @Override
    void close();

    /**
     * Commits made and units of work they carried, since the store was opened.
     *
     * @param commits transactions committed
     * @param units units of work committed in them
     */
    record Commits(long commits, long units) {}
}
