package dev.aios.kernel.internal.store.sqlite;

import dev.aios.kernel.StorageException;
import dev.aios.kernel.internal.store.Store.Unit;
import dev.aios.kernel.internal.store.jdbc.JdbcHandle;
import dev.aios.kernel.internal.store.jdbc.Statements;
import dev.aios.kernel.spi.Handle;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer with group commit: units of work submitted concurrently are executed one after
 * the other on one thread and committed together in one transaction (one fsync). Each unit runs
 * inside a savepoint, so a unit that fails is rolled back alone and the others still commit.
 */
final class Writer implements AutoCloseable {

    private record Pending<T>(Unit<T> unit, CompletableFuture<T> future) {}

    private static final Logger LOG = LoggerFactory.getLogger(Writer.class);
    private static final Pending<Void> STOP = new Pending<>(tx -> null, new CompletableFuture<>());

    private final SqliteStore store;
    private final Connection connection;
    private final String where;
    private final int maxBatch;
    private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong units = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean checkpoint;
    private final java.util.concurrent.atomic.AtomicReference<java.time.Instant> failingSince =
            new java.util.concurrent.atomic.AtomicReference<>();
    private volatile String lastFailure = "";
    private final Statements statements = new Statements();
    /** The transaction of the batch being executed; touched only on the writer thread. */
    private SqliteTx current;

    /**
     * @param connection a connection used by this writer only
     * @param where the database's location, for error messages
     * @param maxBatch the most units committed together
     */
    Writer(SqliteStore store, Connection connection, String where, int maxBatch) throws SQLException {
        this.store = store;
        this.connection = connection;
        this.where = where;
        this.maxBatch = maxBatch;
        connection.setAutoCommit(false);
        this.thread = Thread.ofPlatform().name("aios-writer").daemon().unstarted(this::loop);
        this.thread.start();
    }

    /**
     * Runs {@code unit} in the next group commit and waits for the commit. Called from inside
     * another unit (on the writer's own thread), it runs at once in that unit's transaction.
     */
    <T> T write(Unit<T> unit) {
        if (Thread.currentThread() == thread) {
            return nested(unit);
        }
        try {
            return submit(unit).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for the database", e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    /** Queues {@code unit} for the next group commit. */
    <T> CompletableFuture<T> submit(Unit<T> unit) {
        var pending = new Pending<>(unit, new CompletableFuture<T>());
        if (closed) {
            pending.future.completeExceptionally(new StorageException("the database at " + where + " is closed", null));
            return pending.future;
        }
        queue.add(pending);
        return pending.future;
    }

    /** Whether the caller is inside a unit of work. */
    boolean inUnit() {
        return Thread.currentThread() == thread;
    }

    private <T> T nested(Unit<T> unit) {
        var tx = current;
        var mark = tx.mark();
        var handle = tx.handle();
        try {
            handle.execute("SAVEPOINT nested");
            try {
                T result = unit.run(tx);
                handle.execute("RELEASE nested");
                return result;
            } catch (Exception e) {
                handle.execute("ROLLBACK TO nested");
                handle.execute("RELEASE nested");
                tx.rollBackTo(mark);
                throw e;
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Asks for the write-ahead log to be copied into the database and emptied after the next
     * batch, so that data deleted or overwritten leaves no old copy in the log file.
     */
    void checkpoint() {
        checkpoint = true;
        submit(tx -> null);
    }

    /** Since when commits fail, if the last one failed; with the failure. */
    java.util.Optional<String> failing() {
        var since = failingSince.get();
        return since == null
                ? java.util.Optional.empty()
                : java.util.Optional.of("since " + since + ": " + lastFailure);
    }

    /** Transactions committed so far. */
    long commits() {
        return commits.get();
    }

    /** Units committed so far. */
    long units() {
        return units.get();
    }

    private void loop() {
        var batch = new ArrayList<Pending<?>>(maxBatch);
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, maxBatch - 1);
            boolean stop = batch.remove(STOP);
            if (!batch.isEmpty()) {
                execute(batch);
            }
            if (checkpoint) {
                checkpoint = false;
                // A checkpoint cannot run while any statement of the connection is still open.
                statements.close();
                try (var st = connection.createStatement()) {
                    st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                    connection.commit();
                } catch (SQLException e) {
                    LOG.warn("checkpoint failed; the log is emptied at the next one", e);
                }
            }
            batch.clear();
            if (stop) {
                return;
            }
        }
    }

    private void execute(List<Pending<?>> batch) {
        var tx = new SqliteTx(store, new JdbcHandle(connection, statements, Handle.Dialect.SQLITE, where), true);
        current = tx;
        var results = new ArrayList<Runnable>(batch.size());
        try {
            for (var pending : batch) {
                results.add(runInSavepoint(tx, pending));
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            tx.rollBackTo(new SqliteTx.Mark(0, 0));
            var failure = new StorageException(
                    "could not write to the database at " + where + ": " + e.getMessage()
                            + "; nothing of this change was recorded. Check free disk space and permissions.",
                    e);
            LOG.error("commit failed", e);
            failingSince.compareAndSet(null, java.time.Instant.now());
            lastFailure = failure.getMessage();
            for (var pending : batch) {
                pending.future.completeExceptionally(failure);
            }
            return;
        }
        commits.incrementAndGet();
        units.addAndGet(batch.size());
        failingSince.set(null);
        for (var action : tx.takeAfterCommit()) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("after-commit action failed", e);
            }
        }
        results.forEach(Runnable::run);
    }

    /** Runs one unit in a savepoint; returns what completes its future once the batch committed. */
    private <T> Runnable runInSavepoint(SqliteTx tx, Pending<T> pending) {
        var mark = tx.mark();
        var handle = tx.handle();
        handle.execute("SAVEPOINT unit");
        try {
            T result = pending.unit.run(tx);
            handle.execute("RELEASE unit");
            return () -> pending.future.complete(result);
        } catch (Exception e) {
            // If the rollback itself fails the connection is broken: let the whole batch fail.
            handle.execute("ROLLBACK TO unit");
            handle.execute("RELEASE unit");
            tx.rollBackTo(mark);
            var sql = sqlCause(e);
            if (sql != null) {
                // A statement interrupted by an error cannot be reused; prepare afresh.
                statements.close();
                var failure = new StorageException(
                        "could not write to the database at " + where + ": " + sql.getMessage(), sql);
                return () -> pending.future.completeExceptionally(failure);
            }
            return () -> pending.future.completeExceptionally(e);
        }
    }

    private static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    private void rollbackQuietly() {
        // A statement interrupted by an error cannot be reused; prepare afresh after a failure.
        statements.close();
        try {
            connection.rollback();
        } catch (SQLException e) {
            // SQLite rolls back by itself after some I/O errors (a full disk); the driver still
            // thinks a transaction is open and would then commit every statement on its own.
            // Switching autocommit on and off again resets it to a fresh transaction.
            LOG.warn("rollback failed ({}); resetting the writer's connection", e.getMessage());
            try {
                connection.setAutoCommit(true);
            } catch (SQLException expected) {
                // its implicit commit has nothing to commit
            }
            try {
                connection.setAutoCommit(false);
            } catch (SQLException reset) {
                LOG.error("the writer's connection cannot be reset", reset);
            }
        }
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof CompletionException c && c.getCause() != null) {
            cause = c.getCause();
        }
        if (cause instanceof RuntimeException r) {
            return r;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(cause.getMessage(), cause);
    }

    /** Commits what is queued, then stops the writer and closes its connection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            statements.close();
            connection.close();
        } catch (SQLException e) {
            LOG.warn("closing the writer connection failed", e);
        }
    }
}
