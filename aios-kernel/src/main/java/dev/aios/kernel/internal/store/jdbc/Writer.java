package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.StorageException;
import dev.aios.kernel.internal.store.Store.Unit;
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
 * the other on one thread and committed together in one transaction (one fsync). A unit that fails
 * is rolled back alone and the others still commit: the batch it failed in runs again with each unit
 * inside a savepoint (see {@link #together}).
 */
public final class Writer implements AutoCloseable {

    /** A queued unit; {@code taken} is set once, by the writer starting it or a caller withdrawing it. */
    private record Pending<T>(
            Unit<T> unit, CompletableFuture<T> future, java.util.concurrent.atomic.AtomicBoolean taken) {
        Pending(Unit<T> unit, CompletableFuture<T> future) {
            this(unit, future, new java.util.concurrent.atomic.AtomicBoolean());
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Writer.class);
    private static final Pending<Void> STOP = new Pending<>(tx -> null, new CompletableFuture<>());

    /** Opens the transaction of a batch on the writer's connection. */
    @FunctionalInterface
    public interface Transactions {
        JdbcTx open(JdbcHandle handle);
    }

    /**
     * Makes sure deleted or overwritten data leaves no old copy the database keeps for itself; runs
     * between transactions, with autocommit on.
     */
    @FunctionalInterface
    public interface Checkpoint {
        /** Whether it is done (false: something still held an old copy; it runs again after the next batch). */
        boolean run(Connection connection) throws SQLException;
    }

    private final Transactions transactions;
    private final Checkpoint checkpointer;
    /** Syncs the log of committed batches before they are released; null when a commit is durable. */
    private final LogSyncer syncer;

    private final Handle.Dialect dialect;
    private final Connection connection;
    private final String where;
    private final int maxBatch;
    private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    /** Whether the batch the writer took last held a single unit: a write moving alone. */
    private volatile boolean lastAlone;
    /**
     * Whether callers alone spin for their writes: on SQLite, whose commit and sync take a few
     * tenths of a millisecond; a PostgreSQL commit takes round trips over the network and a
     * millisecond or more, beside which a hand-over between threads is small.
     */
    private final boolean spinning;
    /** How many callers wait for their writes now. */
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    /** How many callers waited for their write by spinning first. */
    private final AtomicLong spins = new AtomicLong();

    private final Thread thread;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong units = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean checkpoint;
    private final java.util.concurrent.atomic.AtomicReference<java.time.Instant> failingSince =
            new java.util.concurrent.atomic.AtomicReference<>();
    private volatile String lastFailure = "";
    /** Why the writer stopped for good, once it has; every write then fails at once. */
    private volatile String broken;

    private volatile java.util.function.Consumer<String> onBroken = reason -> {};
    private final Statements statements = new Statements();
    private volatile CommitObserver observer = (units, nanos) -> {};
    private volatile BetweenBatches between = (units, connection) -> {};
    /** The transaction of the batch being executed; touched only on the writer thread. */
    private JdbcTx current;
    /** Units begun in this writer: their savepoints take turns between two names (PostgreSQL). */
    private long begun;
    /**
     * Batches still to run with a savepoint for each unit since a unit failed in a batch that had
     * none; writer thread only.
     */
    private int guarded;

    /**
     * How long a caller alone with the writer waits for its write by spinning before it parks. A
     * run moving alone hands over between threads twice a step — the writer woken for its unit, the
     * step's thread woken by the commit — and on a virtual machine each wake-up through the kernel
     * costs 20–50 µs, beside a commit and its sync of 0.2–0.5 ms. Only while the writer's last batch
     * held a single unit and no other caller waits: with more in flight, nobody spins, so the CPU it
     * costs is spent only when the machine has little else to do (a spinning virtual thread holds
     * its carrier).
     */
    private static final long CALLER_SPIN_NANOS = 1_000_000;

    /** How long the writer, after a batch of a single unit, looks for the next unit before it parks. */
    private static final long WRITER_SPIN_NANOS = 100_000;

    /** How many batches after a failed one give each unit a savepoint. */
    private static final int GUARDED_BATCHES = 16;

    /** The last unit whose end waits to go with the next unit's first statement; writer thread only. */
    private Ended ended;

    /**
     * A unit whose writes and savepoint release wait to go with the next unit's first statement:
     * where it began, so that it can still be rolled back alone if they fail.
     */
    private record Ended(String savepoint, JdbcTx.Mark mark, int index, Pending<?> pending) {}

    /**
     * @param connection a connection used by this writer only
     * @param dialect the database's SQL dialect
     * @param where the database's location, for error messages
     * @param maxBatch the most units committed together
     * @param transactions opens the transaction of each batch
     * @param checkpointer what {@link #checkpoint} does
     * @param sync syncs the database's log, when the connection commits without making the commit
     *     durable: each batch is then released (its callers told, its after-commit actions run) only
     *     once the log is synced, while the writer goes on with the next batch (see {@link
     *     LogSyncer}); empty when a commit is durable once it returns
     */
    public Writer(
            Connection connection,
            Handle.Dialect dialect,
            String where,
            int maxBatch,
            Transactions transactions,
            Checkpoint checkpointer,
            java.util.Optional<LogSyncer.Sync> sync)
            throws SQLException {
        this.syncer = sync.map(s -> new LogSyncer(s, where, this::breakDown)).orElse(null);
        this.transactions = transactions;
        this.checkpointer = checkpointer;
        this.dialect = dialect;
        this.spinning = dialect == Handle.Dialect.SQLITE;
        this.connection = connection;
        this.where = where;
        this.maxBatch = maxBatch;
        connection.setAutoCommit(false);
        this.thread = Thread.ofPlatform().name("aios-writer").daemon().unstarted(this::run);
        this.thread.start();
    }

    /**
     * Calls {@code action} once, with the reason, if the writer stops for good (its connection
     * broke, or it failed outside any unit twice in a row): nothing can be written any more.
     */
    public void onBroken(java.util.function.Consumer<String> action) {
        this.onBroken = action;
        var reason = broken;
        if (reason != null) {
            action.accept(reason);
        }
    }

    /** Why the writer stopped for good, if it has. */
    public java.util.Optional<String> broken() {
        return java.util.Optional.ofNullable(broken);
    }

    /**
     * Runs {@code unit} in the next group commit and waits for the commit. Called from inside
     * another unit (on the writer's own thread), it runs at once in that unit's transaction.
     */
    public <T> T write(Unit<T> unit) {
        if (Thread.currentThread() == thread) {
            return nested(unit);
        }
        var pending = new Pending<>(unit, new CompletableFuture<T>());
        var future = enqueue(pending);
        boolean alone = waiting.incrementAndGet() == 1;
        var limit = dev.aios.kernel.WriteDeadline.remaining();
        try {
            if (alone && lastAlone && spinning) {
                spinFor(future);
            }
            if (limit.isEmpty()) {
                return future.get();
            }
            try {
                return future.get(limit.get().toNanos(), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (pending.taken().compareAndSet(false, true)) {
                    future.cancel(false);
                    throw new StorageException(
                            "the database could not take this change within "
                                    + dev.aios.kernel.WriteDeadline.length()
                                            .orElseThrow()
                                            .toSeconds()
                                    + " s (it is busy or failing); nothing of it was recorded. Send it again later.",
                            e);
                }
                // The writer began it already: its outcome is moments away.
                return future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (pending.taken().compareAndSet(false, true)) {
                future.cancel(false);
                throw new StorageException("interrupted while waiting for the database; nothing was recorded", e);
            }
            throw new StorageException(
                    "interrupted while the database was writing this change; it may have been recorded", e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } finally {
            waiting.decrementAndGet();
        }
    }

    /**
     * Waits for {@code future} by spinning, for {@link #CALLER_SPIN_NANOS} at most, while no other
     * caller waits for a write and this one is not interrupted; what is left is waited for by parking.
     */
    private void spinFor(CompletableFuture<?> future) {
        spins.incrementAndGet();
        long until = System.nanoTime() + CALLER_SPIN_NANOS;
        while (!future.isDone()
                && waiting.get() == 1
                && System.nanoTime() - until < 0
                && !Thread.currentThread().isInterrupted()) {
            Thread.onSpinWait();
        }
    }

    /** How many callers have waited for their write by spinning first. */
    public long spins() {
        return spins.get();
    }

    /** Queues {@code unit} for the next group commit. */
    public <T> CompletableFuture<T> submit(Unit<T> unit) {
        return enqueue(new Pending<>(unit, new CompletableFuture<T>()));
    }

    private <T> CompletableFuture<T> enqueue(Pending<T> pending) {
        if (broken != null) {
            pending.future.completeExceptionally(brokenFailure());
            return pending.future;
        }
        if (closed) {
            pending.future.completeExceptionally(new StorageException("the database at " + where + " is closed", null));
            return pending.future;
        }
        queue.add(pending);
        if (broken != null) {
            failQueued();
        }
        return pending.future;
    }

    /** Whether the caller is inside a unit of work. */
    public boolean inUnit() {
        return Thread.currentThread() == thread;
    }

    private <T> T nested(Unit<T> unit) {
        var tx = current;
        var mark = tx.mark();
        var handle = tx.handle();
        try {
            // What the enclosing unit saved is written first: a nested unit rolled back undoes only its own.
            tx.flush();
            // Sent with the nested unit's first statement (PostgreSQL), after what is waiting: an
            // error in the enclosing unit's writes then fails the enclosing unit, as it should.
            handle.executeLater("SAVEPOINT nested");
            var unsent = handle.pending();
            try {
                T result = unit.run(tx);
                tx.flush();
                if (handle.writesPending()) {
                    // The nested unit's writes still waiting go now, inside it: an error they meet is its own.
                    handle.execute("RELEASE nested");
                } else {
                    handle.executeLater("RELEASE nested");
                }
                return result;
            } catch (Exception e) {
                handle.discardSince(unsent);
                handle.execute("ROLLBACK TO nested");
                // Its savepoint was made, so an earlier unit's end sent before it went through.
                handle.takeEarlierFailure();
                handle.execute("RELEASE nested");
                tx.rollBackTo(mark);
                throw e;
            } catch (Error e) {
                handle.discardSince(unsent);
                handle.execute("ROLLBACK TO nested");
                handle.takeEarlierFailure();
                handle.execute("RELEASE nested");
                tx.rollBackTo(mark);
                throw unitError(e);
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
    public CompletableFuture<Boolean> checkpoint() {
        var done = new CompletableFuture<Boolean>();
        checkpointWaiters.add(done);
        checkpoint = true;
        submit(tx -> null);
        return done;
    }

    /** Told, after the next checkpoint, whether it emptied the log. */
    private final java.util.concurrent.ConcurrentLinkedQueue<CompletableFuture<Boolean>> checkpointWaiters =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Since when commits fail, if the last one failed; with the failure. */
    public java.util.Optional<String> failing() {
        if (broken != null) {
            return java.util.Optional.of(broken + "; restart aios");
        }
        var since = failingSince.get();
        return since == null
                ? java.util.Optional.empty()
                : java.util.Optional.of("since " + since + ": " + lastFailure);
    }

    /** Hears of every group commit: how many units it carried and how long it took. */
    @FunctionalInterface
    public interface CommitObserver {
        void committed(int units, long nanos);
    }

    /**
     * Runs on the writer's thread after each commit, between its transactions, with its connection:
     * for what a store does with that connection as the batches go (SQLite's checkpoints).
     */
    @FunctionalInterface
    public interface BetweenBatches {
        void committed(int units, Connection connection) throws SQLException;
    }

    /**
     * Calls {@code between} after every commit from now on; a failure there is logged, the batch
     * stays committed.
     */
    public void between(BetweenBatches between) {
        this.between = java.util.Objects.requireNonNull(between, "between");
    }

    /** Tells {@code observer} of every commit from now on (for metrics). */
    public void observe(CommitObserver observer) {
        this.observer = java.util.Objects.requireNonNull(observer, "observer");
    }

    /** Transactions committed so far. */
    public long commits() {
        return commits.get();
    }

    /** Units committed so far. */
    public long units() {
        return units.get();
    }

    /** The writer thread: the loop, and what happens if it ends other than by {@link #close}. */
    private void run() {
        String reason = "its thread ended unexpectedly";
        try {
            if (loop()) {
                return;
            }
        } catch (Throwable e) {
            reason = "it failed and cannot go on (" + e + ")";
            LOG.error("the writer stopped", e);
        }
        breakDown(reason);
    }

    /** Runs batches until stopped; true when stopped by {@link #close}, false when it cannot go on. */
    private boolean loop() {
        var batch = new ArrayList<Pending<?>>(maxBatch);
        int failuresInARow = 0;
        while (true) {
            try {
                var next = lastAlone && spinning ? spinForNext() : null;
                batch.add(next != null ? next : queue.take());
            } catch (InterruptedException e) {
                return closed;
            }
            queue.drainTo(batch, maxBatch - 1);
            boolean stop = batch.remove(STOP);
            lastAlone = batch.size() == 1;
            try {
                if (!batch.isEmpty()) {
                    execute(batch);
                }
                if (checkpoint) {
                    checkpoint = false;
                    checkpointNow();
                }
                failuresInARow = 0;
                if (!connectionUsable()) {
                    breakDown("its connection to the database was closed");
                    return false;
                }
            } catch (Throwable e) {
                // Outside any unit (committing, or bookkeeping): the batch is lost, not the writer.
                failuresInARow++;
                LOG.error("a batch of {} writes failed outside its units", batch.size(), e);
                rollbackQuietly();
                var failure = new StorageException(
                        "could not write to the database at " + where + ": " + e + "; nothing of this change was"
                                + " recorded",
                        e);
                batch.forEach(p -> p.future.completeExceptionally(failure));
                if (failuresInARow >= 2 || !connectionUsable()) {
                    breakDown("it failed twice in a row outside any write (" + e + ")");
                    return false;
                }
            }
            batch.clear();
            if (stop) {
                return true;
            }
        }
    }

    /**
     * The next unit if one comes within {@link #WRITER_SPIN_NANOS}: after a unit alone, the next
     * (its run's next step, say) usually follows within some tens of microseconds.
     */
    private Pending<?> spinForNext() {
        long until = System.nanoTime() + WRITER_SPIN_NANOS;
        while (queue.isEmpty() && System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
        return queue.poll();
    }

    /**
     * Copies the log into the database and empties it. Runs between transactions with no statement
     * of the writer open (a checkpoint cannot run inside a transaction, nor commit one while its own
     * result is still open); if readers still use the log, it is tried again after the next batch.
     */
    private void checkpointNow() {
        var waiters = new ArrayList<CompletableFuture<Boolean>>();
        CompletableFuture<Boolean> waiter;
        while ((waiter = checkpointWaiters.poll()) != null) {
            waiters.add(waiter);
        }
        boolean emptied = false;
        statements.close();
        try {
            connection.setAutoCommit(true);
            try {
                emptied = checkpointer.run(connection);
            } finally {
                connection.setAutoCommit(false);
            }
            if (!emptied) {
                LOG.debug("readers still use the write-ahead log; checkpointing again after the next batch");
                checkpoint = true;
                checkpointWaiters.addAll(waiters);
                waiters.clear();
            }
        } catch (SQLException e) {
            LOG.warn("checkpoint failed; the log is emptied at the next one", e);
        }
        for (var done : waiters) {
            done.complete(emptied);
        }
    }

    private boolean connectionUsable() {
        try {
            return !connection.isClosed();
        } catch (SQLException e) {
            return false;
        }
    }

    /** Stops taking writes for good: fails what is queued and everything submitted later. */
    private void breakDown(String reason) {
        if (broken != null || (closed && reason.startsWith("its thread ended"))) {
            return;
        }
        broken = "the writer of the database at " + where + " stopped: " + reason;
        LOG.error("{}; nothing more can be recorded, restart aios", broken);
        failQueued();
        try {
            onBroken.accept(broken);
        } catch (RuntimeException e) {
            LOG.warn("reacting to the stopped writer failed", e);
        }
    }

    private void failQueued() {
        var failure = brokenFailure();
        Pending<?> pending;
        while ((pending = queue.poll()) != null) {
            pending.future.completeExceptionally(failure);
        }
    }

    private StorageException brokenFailure() {
        return new StorageException(broken + "; nothing of this change was recorded. Restart aios.", null);
    }

    /** An error thrown by a unit, as the caller sees it: the unit failed, the kernel did not. */
    private static IllegalStateException unitError(Error error) {
        return new IllegalStateException(
                "the change failed inside the kernel (" + error + "); nothing of it was recorded", error);
    }

    private void execute(List<Pending<?>> batch) {
        long started = System.nanoTime();
        taken.clear();
        var results = new ArrayList<Runnable>(batch.size());
        ended = null;
        JdbcTx tx = null;
        try {
            boolean alone = batch.size() == 1 && dialect == Handle.Dialect.SQLITE;
            if (guarded > 0) {
                guarded--;
            } else if (!alone) {
                tx = open();
                if (!together(tx, batch, results)) {
                    // One unit failed: everything was rolled back; each runs again in its savepoint.
                    guarded = GUARDED_BATCHES;
                    tx = null;
                }
            }
            if (tx == null) {
                tx = open();
                if (alone) {
                    results.add(runAlone(tx, batch.getFirst()));
                } else {
                    for (var pending : batch) {
                        results.add(runInSavepoint(tx, pending, results));
                    }
                }
                commit(tx, results);
            }
        } catch (SQLException | RuntimeException | Error e) {
            // Null when the batch's transaction could not even be opened again after a failed unit.
            if (tx != null) {
                tx.handle().abandon();
            }
            rollbackQuietly();
            if (tx != null) {
                tx.rollBackTo(JdbcTx.Mark.START);
            }
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
        observer.committed(batch.size(), System.nanoTime() - started);
        failingSince.set(null);
        // Committed: nothing from here on may turn the batch into a failure, but a failed sync of the log.
        var committed = tx.takeCommitted();
        for (var action : committed.atOnce()) {
            try {
                action.run();
            } catch (RuntimeException | Error e) {
                LOG.warn("on-commit action failed", e);
            }
        }
        var release = new ArrayList<Runnable>(committed.durable().size() + results.size());
        release.addAll(committed.durable());
        release.addAll(results);
        var durable = new LogSyncer.Batch(release, futures(batch));
        if (syncer == null) {
            durable.run();
        } else {
            syncer.committed(durable, queue.isEmpty());
        }
        try {
            between.committed(batch.size(), connection);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("what follows a commit failed; the batch stays committed", e);
        }
    }

    private static List<CompletableFuture<?>> futures(List<Pending<?>> batch) {
        var futures = new ArrayList<CompletableFuture<?>>(batch.size());
        for (var pending : batch) {
            futures.add(pending.future);
        }
        return futures;
    }

    /** The units of the batch being executed that the writer took to run; writer thread only. */
    private final java.util.Set<Pending<?>> taken =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    /** What a unit the writer did not run completes: nothing (its caller gave up on it). */
    private static final Runnable NOTHING = () -> {};

    /**
     * Whether the writer runs {@code pending}, taking it now if it did not already (a batch run
     * again): not when its caller gave up waiting first (a request that timed out), since it must
     * not happen later. A unit is taken when it begins, so a caller may give up until then.
     */
    private boolean take(Pending<?> pending) {
        if (taken.contains(pending)) {
            return true;
        }
        if (!pending.taken().compareAndSet(false, true)) {
            return false;
        }
        taken.add(pending);
        return true;
    }

    /** Opens the transaction of a batch on the writer's connection. */
    private JdbcTx open() {
        var tx = transactions.open(new JdbcHandle(connection, statements, dialect, where));
        current = tx;
        return tx;
    }

    /**
     * Runs the units of a batch one after the other with no savepoint between them, and commits.
     * Each savepoint costs the database work of its own (on PostgreSQL two statements and a
     * subtransaction a unit, on SQLite a copy of every page the unit changes), only ever used when a
     * unit fails, which units rarely do. When one does (or the writes it left waiting do, or the
     * commit meets an error the database answered), the whole transaction is rolled back and false
     * returned: the batch then runs again with a savepoint for each unit, so that the failure is
     * that unit's alone, and so do the next {@link #GUARDED_BATCHES} batches, so that units that
     * keep failing cost a batch no more than once. On PostgreSQL the units' writes wait until the
     * batch needs an answer from the database, mostly until its commit, and go merged (see {@link
     * JdbcHandle#merge}): a batch is then a round trip or two, whatever its units write.
     */
    private boolean together(JdbcTx tx, List<Pending<?>> batch, List<Runnable> results) throws SQLException {
        var handle = tx.handle();
        // PostgreSQL: the units' writes wait for the batch's next round trip, merged (see JdbcHandle#merge).
        handle.merge();
        try {
            for (var pending : batch) {
                if (!take(pending)) {
                    results.add(NOTHING);
                    continue;
                }
                results.add(runUnit(tx, pending));
                tx.flushStates();
                handle.runHeld();
            }
            // The batch's journal entries, merged with its other writes (PostgreSQL), sent with the commit.
            tx.flush();
            tx.beforeCommit();
            if (handle.writesPending()) {
                handle.execute("COMMIT");
                return true;
            }
        } catch (Exception | Error e) {
            if (!answered(e)) {
                // The connection broke: the batch is lost (see execute).
                throw e instanceof RuntimeException r ? r : new StorageException(e.getMessage(), e);
            }
            handle.abandon();
            rollbackQuietly();
            tx.rollBackTo(JdbcTx.Mark.START);
            results.clear();
            LOG.debug("a write of a batch of {} failed; running each in its savepoint", batch.size(), e);
            return false;
        }
        handle.dropDeferred();
        connection.commit();
        return true;
    }

    /**
     * Whether {@code e} leaves the writer's connection as it was (the unit threw, or the database
     * answered with an error), so that the batch may run again; not when the connection broke.
     */
    private boolean answered(Throwable e) {
        var sql = sqlCause(e);
        if (sql == null) {
            return true;
        }
        var state = sql.getSQLState();
        return (state == null || !state.startsWith("08")) && connectionUsable();
    }

    /** Runs {@code pending}'s unit; returns what completes its future once the batch committed. */
    private static <T> Runnable runUnit(JdbcTx tx, Pending<T> pending) throws Exception {
        T result = pending.unit.run(tx);
        return () -> pending.future.complete(result);
    }

    /**
     * Runs one unit in a savepoint; returns what completes its future once the batch committed. On
     * PostgreSQL, when the unit's writes are still waiting at its end, they and the release of its
     * savepoint go with the next unit's first statement; if that message fails because of them, the
     * earlier unit alone is rolled back (its entry in {@code results} becomes its failure) and this
     * unit runs again from its start.
     */
    private <T> Runnable runInSavepoint(JdbcTx tx, Pending<T> pending, List<Runnable> results) {
        if (!take(pending)) {
            return NOTHING;
        }
        while (true) {
            var outcome = attempt(tx, pending, results);
            if (outcome != null) {
                return outcome;
            }
        }
    }

    /**
     * Runs the only unit of a batch on SQLite without a savepoint of its own: the transaction holds
     * nothing else, so if the unit fails, rolling the transaction back undoes exactly that unit. A
     * savepoint would make SQLite copy every page the unit changes into its sub-journal, and spill
     * that to a temporary file it creates and deletes once a unit changes more than 64 KiB (as the
     * write that starts a run does): work a run moving alone, one unit per commit, does for nothing.
     */
    private <T> Runnable runAlone(JdbcTx tx, Pending<T> pending) {
        if (!take(pending)) {
            return NOTHING;
        }
        var mark = tx.mark();
        try {
            T result = pending.unit.run(tx);
            tx.flush();
            // Within the unit that held it back: a failure is the unit's own.
            tx.handle().runHeld();
            return () -> pending.future.complete(result);
        } catch (Exception | Error e) {
            // A statement the unit left held back is not run at all.
            tx.handle().abandon();
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                // The connection is broken: let the whole batch fail.
                e.addSuppressed(rollback);
                throw new StorageException(
                        "could not roll back a failed write at " + where + ": " + rollback.getMessage(), rollback);
            }
            tx.rollBackTo(mark);
            return failed(pending, e, sqlCause(e));
        }
    }

    /** What completes the future of a unit that failed with {@code e} and was rolled back. */
    private <T> Runnable failed(Pending<T> pending, Throwable e, SQLException sql) {
        if (sql != null) {
            // A statement interrupted by an error cannot be reused; prepare afresh.
            statements.close();
            var failure =
                    new StorageException("could not write to the database at " + where + ": " + sql.getMessage(), sql);
            return () -> pending.future.completeExceptionally(failure);
        }
        if (e instanceof Error error) {
            LOG.error("a write failed with {}; it alone is rolled back", error.toString(), error);
            var failure = unitError(error);
            return () -> pending.future.completeExceptionally(failure);
        }
        return () -> pending.future.completeExceptionally(e);
    }

    /** One run of a unit in its savepoint; null when it must run again (an earlier unit failed in its stead). */
    private <T> Runnable attempt(JdbcTx tx, Pending<T> pending, List<Runnable> results) {
        var mark = tx.mark();
        var handle = tx.handle();
        // Two names in turn on PostgreSQL: after a failure, whether this unit's savepoint exists says
        // whether the error came before it (the earlier unit's writes) or after.
        var savepoint = dialect == Handle.Dialect.POSTGRESQL ? "unit" + (begun++ & 1) : "unit";
        // Sent with the unit's first statement (PostgreSQL): executed before it all the same.
        handle.executeLater("SAVEPOINT " + savepoint);
        var unsent = handle.pending();
        try {
            T result = pending.unit.run(tx);
            tx.flush();
            // Within the unit that held it back (SQLite): a failure is the unit's own.
            handle.runHeld();
            if (handle.earlierFailed()) {
                // The unit went on past the failure (it caught it): the transaction is aborted all the same.
                throw new IllegalStateException("a write before this one failed");
            }
            if (handle.holdsEarlierUnit()) {
                // The earlier unit's end is still waiting (this one sent nothing): both go now, so
                // that a failure has only these two to be attributed to.
                handle.execute("RELEASE " + savepoint);
            } else if (handle.writesPending()) {
                // The unit's writes go with the next unit's first statement, or before the commit.
                handle.endUnitLater("RELEASE " + savepoint);
                ended = new Ended(savepoint, mark, results.size(), pending);
            } else {
                // Sent with the next unit's savepoint, or made moot by the commit.
                handle.executeLater("RELEASE " + savepoint);
            }
            return () -> pending.future.complete(result);
        } catch (Exception | Error e) {
            var earlier = handle.takeEarlierFailure();
            // What the unit left unsent is not sent at all.
            handle.discardSince(unsent);
            boolean rolledBack = false;
            if (earlier == null) {
                try {
                    handle.execute("ROLLBACK TO " + savepoint);
                    rolledBack = true;
                } catch (StorageException failure) {
                    // The earlier unit's writes, still waiting when this unit failed before sending
                    // anything, went with the rollback and failed there; else the connection is
                    // broken: let the whole batch fail.
                    earlier = handle.takeEarlierFailure();
                    if (earlier == null) {
                        throw failure;
                    }
                }
            }
            if (!rolledBack && !rolledBackTo(handle, savepoint)) {
                // This unit's savepoint was never made: the earlier unit's writes failed.
                undoEnded(tx, results, earlier);
                return null;
            }
            handle.execute("RELEASE " + savepoint);
            tx.rollBackTo(mark);
            var sql = sqlCause(e);
            if (sql == null) {
                // The unit went on past its failed write, if it did: that failure is what it met.
                sql = earlier;
            }
            return failed(pending, e, sql);
        }
    }

    /** Rolls back to {@code savepoint}; false when it does not exist (the transaction stays failed). */
    private static boolean rolledBackTo(JdbcHandle handle, String savepoint) {
        try {
            handle.execute("ROLLBACK TO " + savepoint);
            return true;
        } catch (StorageException e) {
            var sql = sqlCause(e);
            if (sql != null && "3B001".equals(sql.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The writes of the unit that ended last failed after it ended: rolls it back alone, with what
     * was registered since (the unit that sent them runs again), and records its failure.
     */
    private void undoEnded(JdbcTx tx, List<Runnable> results, SQLException cause) {
        var unit = ended;
        ended = null;
        if (unit == null) {
            throw new IllegalStateException("a write failed before its unit was known", cause);
        }
        var handle = tx.handle();
        handle.execute("ROLLBACK TO " + unit.savepoint());
        handle.execute("RELEASE " + unit.savepoint());
        tx.rollBackTo(unit.mark());
        // A statement interrupted by an error cannot be reused; prepare afresh.
        statements.close();
        var failure =
                new StorageException("could not write to the database at " + where + ": " + cause.getMessage(), cause);
        var future = unit.pending().future;
        results.set(unit.index(), () -> future.completeExceptionally(failure));
    }

    /**
     * Commits the batch. When the last unit's writes still wait (PostgreSQL), they, the release of
     * its savepoint and the commit go in one message; if their message fails and the unit's
     * savepoint is still there, its writes failed: it alone is rolled back and the rest committed.
     */
    private void commit(JdbcTx tx, List<Runnable> results) throws SQLException {
        var handle = tx.handle();
        if (handle.holdsEarlierUnit()) {
            var unit = ended;
            try {
                handle.execute("COMMIT");
                return;
            } catch (StorageException e) {
                var cause = handle.takeEarlierFailure();
                if (cause == null || unit == null) {
                    throw e;
                }
                try {
                    // Fails when the commit itself failed: the transaction is over, the batch lost.
                    handle.execute("ROLLBACK TO " + unit.savepoint());
                } catch (StorageException over) {
                    e.addSuppressed(over);
                    throw e;
                }
                undoEnded(tx, results, cause);
            }
        }
        // What is left (the last unit's savepoint release) the commit does itself.
        handle.dropDeferred();
        connection.commit();
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
        if (syncer != null) {
            // Every batch committed is synced and released before the connection closes.
            syncer.close();
        }
        try {
            statements.close();
            connection.close();
        } catch (SQLException e) {
            LOG.warn("closing the writer connection failed", e);
        }
    }
}
