package dev.aios.kernel.internal.store.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.ApiTokenStore;
import dev.aios.kernel.internal.store.AuditStore;
import dev.aios.kernel.internal.store.AwaitStore;
import dev.aios.kernel.internal.store.DerivedState;
import dev.aios.kernel.internal.store.EventStore;
import dev.aios.kernel.internal.store.InstanceStore;
import dev.aios.kernel.internal.store.JournalStore;
import dev.aios.kernel.internal.store.KeyStore;
import dev.aios.kernel.internal.store.LoopStore;
import dev.aios.kernel.internal.store.NodeStore;
import dev.aios.kernel.internal.store.PlaybookStore;
import dev.aios.kernel.internal.store.ReceiptStore;
import dev.aios.kernel.internal.store.ReportStore;
import dev.aios.kernel.internal.store.RunStore;
import dev.aios.kernel.internal.store.SecretValueStore;
import dev.aios.kernel.internal.store.SnapshotStore;
import dev.aios.kernel.internal.store.TaskStore;
import dev.aios.kernel.internal.store.Tx;
import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.internal.store.WorkStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A transaction on a JDBC store: the writer's (shared by a batch of units) or a read. The stores'
 * tables are the same on every database; what differs is said by the handle's dialect and by the
 * few things a store decides for itself ({@link #nextPosition}, {@link #liveRuns}).
 */
public abstract class JdbcTx implements Tx {
    private final JdbcHandle handle;
    private final boolean writer;
    private final List<Runnable> afterCommit = new ArrayList<>();
    private final List<Runnable> onCommit = new ArrayList<>();
    private final List<Runnable> onRollback = new ArrayList<>();
    /** Run states saved by the unit in progress, written to the table once, when the unit ends. */
    private final Map<String, RunState> unsaved = new java.util.LinkedHashMap<>();

    /** The items due longest as this writer transaction's turn found them, and as it changed them; null when unknown. */
    private DueAhead dueAhead;

    private JdbcJournal journal;
    private JdbcEvents events;
    private JdbcRuns runs;
    private JdbcWork work;
    private JdbcAwaits awaits;
    private JdbcLoops loops;
    private JdbcInstances instances;
    private JdbcTasks tasks;
    private JdbcReceipts receipts;
    private JdbcKeys keys;
    private JdbcPlaybooks playbooks;

    protected JdbcTx(JdbcHandle handle, boolean writer) {
        this.handle = handle;
        this.writer = writer;
    }

    /** The handle this transaction runs its statements on. */
    @Override
    public JdbcHandle handle() {
        return handle;
    }

    /** Whether this is the writer's transaction. */
    public boolean isWriter() {
        return writer;
    }

    /** The position of the next journal entry in the global order that the feed follows. */
    protected abstract long nextPosition();

    /**
     * The SQL expression that numbers a journal entry as it is inserted, when the database numbers
     * them itself (one round trip fewer than asking {@link #nextPosition} first); empty when the
     * store numbers them.
     */
    protected java.util.Optional<String> positionExpression() {
        return java.util.Optional.empty();
    }

    /**
     * The states of runs the writer worked on lately, kept in memory by a store that is the only
     * writer of its database; null when states are always read from the database (a store that
     * several nodes share), or outside the writer's transaction.
     */
    protected abstract Map<String, RunState> liveRuns();

    /**
     * The leases this writer granted (each item's owner, by run) that are known to be still held, so
     * that a step's check of its lease needs no round trip; null when the store keeps none, outside
     * the writer's transaction, or while it is not known yet whether another node wrote since.
     */
    protected KeptLeases leasesHeld() {
        return null;
    }

    /**
     * The whole work of some runs (run id to its rows), kept in memory by a store whose writer knows
     * that no other node wrote since it read or wrote them, so that a run's due items need no round
     * trip; null when the store keeps none, outside the writer's transaction, or while it is not
     * known yet whether another node wrote since. A run absent from the map is not known.
     */
    protected Map<String, Map<WorkKey, WorkRow>> workKept() {
        return null;
    }

    /** Says that the work of run {@code runId} (of every run, when null) is no longer known. */
    protected void workForgotten(String runId) {
        // kept by no store but those that keep workKept
    }

    /**
     * Says that the work of run {@code runId} (of every run, when null) changed in a way this
     * transaction does not follow: neither the store's kept work nor the items due ahead know it.
     */
    final void forgetWork(String runId) {
        if (dueAhead != null) {
            dueAhead.forget(runId);
        }
        workForgotten(runId);
    }

    /** Keeps the items due longest that this writer transaction's turn found (see {@link DueAhead}). */
    protected void dueAhead(DueAhead ahead) {
        this.dueAhead = ahead;
    }

    /** The items due longest that this transaction knows without asking, or null. */
    DueAhead dueAhead() {
        return dueAhead;
    }

    /**
     * Says that run {@code runId} begins in the unit in progress, so has no work yet: a store that
     * keeps runs' work knows this run's whole, until the unit rolls back.
     */
    void runBegun(String runId) {
        var kept = workKept();
        if (kept != null) {
            kept.put(runId, new java.util.LinkedHashMap<>());
            onRollback(() -> forgetWork(runId));
        }
    }

    /**
     * The number of the next event this transaction logs, when the store numbers events itself
     * without asking the database (the PostgreSQL writer while it {@link JdbcHandle#merge}s a batch's
     * statements); empty when the database numbers them as they are inserted. The event's id is
     * {@code id}, and {@code other} (or null) the id it is logged unless.
     */
    protected java.util.OptionalLong nextEventSeq(String id, String other) {
        return java.util.OptionalLong.empty();
    }

    /** Says that the database numbered an event {@code seq} in this transaction. */
    protected void eventLogged(long seq) {
        // nothing to follow for a store whose database numbers every event
    }

    /**
     * Says that subjects' keys were destroyed in this transaction: a store that several nodes share
     * tells the others, which must stop using the keys they keep in memory.
     */
    protected void keysDestroyed() {
        // a store that is the only writer of its database: the node's own cache follows its forgets
    }

    /**
     * Says that rows of run {@code runId} (of any run, when null) change in this transaction: its
     * state, its journal or its work. A store whose writer shares the database with other nodes'
     * tells them, so that they forget what they keep in memory of that run.
     */
    protected void runChanged(String runId) {
        // a store that is the only writer of its database keeps what it keeps in step itself
    }

    /**
     * Called by the writer after a batch's units, before it commits them together; not when it runs
     * them each in a savepoint, after one failed.
     */
    public void beforeCommit() {
        // nothing to add for a store that is the only writer of its database
    }

    /** Says that the lease of {@code key} (of every item, when null) may have changed in this transaction. */
    protected void leaseChanged(WorkKey key) {
        // kept by no store but those that keep leasesHeld
    }

    /** Says that the leases of run {@code runId}'s items may have changed in this transaction; others' did not. */
    protected void leasesOfRunChanged(String runId) {
        // kept by no store but those that keep leasesHeld
    }

    @Override
    public JournalStore journal() {
        if (journal == null) {
            journal = new JdbcJournal(this);
        }
        return journal;
    }

    @Override
    public EventStore events() {
        if (events == null) {
            events = new JdbcEvents(handle, this);
        }
        return events;
    }

    @Override
    public RunStore runs() {
        return jdbcRuns();
    }

    @Override
    public SnapshotStore snapshots() {
        return jdbcRuns();
    }

    private JdbcRuns jdbcRuns() {
        if (runs == null) {
            runs = new JdbcRuns(this);
        }
        return runs;
    }

    @Override
    public WorkStore work() {
        return jdbcWork();
    }

    private JdbcWork jdbcWork() {
        if (work == null) {
            work = new JdbcWork(this);
        }
        return work;
    }

    @Override
    public void stepCompleted(WorkKey key) {
        if (handle.defersWrites()) {
            // Sent together anyway: one statement rather than three (two of which mostly find nothing).
            jdbcWork().removeCompleted(key);
        } else {
            Tx.super.stepCompleted(key);
        }
    }

    @Override
    public void runEnded(String runId, java.time.Instant at, JsonNode resolution) {
        if (handle.defersWrites()) {
            // Sent together anyway: one statement rather than four (three of which mostly find nothing).
            jdbcWork().removeEnded(runId, at, resolution);
        } else {
            Tx.super.runEnded(runId, at, resolution);
        }
    }

    @Override
    public AwaitStore awaits() {
        if (awaits == null) {
            awaits = new JdbcAwaits(handle);
        }
        return awaits;
    }

    @Override
    public LoopStore loops() {
        if (loops == null) {
            loops = new JdbcLoops(handle);
        }
        return loops;
    }

    @Override
    public InstanceStore instances() {
        if (instances == null) {
            instances = new JdbcInstances(handle);
        }
        return instances;
    }

    @Override
    public TaskStore tasks() {
        if (tasks == null) {
            tasks = new JdbcTasks(handle);
        }
        return tasks;
    }

    @Override
    public ReceiptStore receipts() {
        if (receipts == null) {
            receipts = new JdbcReceipts(handle);
        }
        return receipts;
    }

    @Override
    public KeyStore keys() {
        if (keys == null) {
            keys = new JdbcKeys(handle, this::keysDestroyed);
        }
        return keys;
    }

    @Override
    public PlaybookStore playbooks() {
        if (playbooks == null) {
            playbooks = new JdbcPlaybooks(handle);
        }
        return playbooks;
    }

    @Override
    public ReportStore reports() {
        flush();
        return new JdbcReports(handle);
    }

    @Override
    public AuditStore audit() {
        return new JdbcAudit(handle, writer);
    }

    @Override
    public ApiTokenStore tokens() {
        return new JdbcTokens(handle);
    }

    @Override
    public SecretValueStore secrets() {
        return new JdbcSecrets(handle);
    }

    @Override
    public NodeStore nodes() {
        return new JdbcNodes(handle);
    }

    @Override
    public DerivedState derived() {
        flush();
        // It may empty the work table.
        runChanged(null);
        leaseChanged(null);
        forgetWork(null);
        return new JdbcDerived(handle);
    }

    @Override
    public void afterCommit(Runnable action) {
        afterCommit.add(action);
    }

    @Override
    public void onCommit(Runnable action) {
        onCommit.add(action);
    }

    @Override
    public void onRollback(Runnable action) {
        onRollback.add(action);
    }

    /**
     * Keeps {@code state} to be written when the unit ends ({@link #flush}) rather than now: a unit
     * appends several entries to one run, each changing its state, and only the last state counts.
     */
    void saveLater(RunState state) {
        unsaved.put(state.id, state);
    }

    /** The state of the run saved by the unit in progress and not written yet, or null. */
    RunState unsaved(String runId) {
        return unsaved.get(runId);
    }

    /**
     * Writes the journal entries and the run states the unit in progress saved: called by the writer
     * before a unit's savepoint is released or another begins inside it, and before the runs table
     * or the journal is queried.
     */
    public void flush() {
        if (journal != null) {
            journal.flush();
        }
        flushStates();
    }

    /**
     * Writes the run states the unit in progress saved, leaving its journal entries held (they are
     * written before the journal or the runs table is read, and by {@link #flush}).
     */
    public void flushStates() {
        if (unsaved.isEmpty()) {
            return;
        }
        var states = List.copyOf(unsaved.values());
        unsaved.clear();
        for (var state : states) {
            jdbcRuns().write(state);
        }
    }

    /**
     * What to run now that the transaction committed: first what runs at once on the writer's
     * thread ({@link #onCommit}), then what waits until it is durable ({@link #afterCommit});
     * forgets what was registered.
     */
    public Committed takeCommitted() {
        var committed = new Committed(List.copyOf(onCommit), List.copyOf(afterCommit));
        onCommit.clear();
        afterCommit.clear();
        onRollback.clear();
        return committed;
    }

    /** The actions of a committed transaction: those run at once, and those run once it is durable. */
    public record Committed(List<Runnable> atOnce, List<Runnable> durable) {}

    /** Where the work of a unit begins, to undo its registrations if it is rolled back. */
    public record Mark(int afterCommit, int onCommit, int onRollback) {
        /** The beginning of the transaction. */
        public static final Mark START = new Mark(0, 0, 0);
    }

    /** Where the work of the next unit begins. */
    public Mark mark() {
        return new Mark(afterCommit.size(), onCommit.size(), onRollback.size());
    }

    /** Forgets what was registered since {@code mark}, running its rollback actions. */
    public void rollBackTo(Mark mark) {
        // Written at every unit's start and end, so what is left belongs to the unit rolled back.
        unsaved.clear();
        if (journal != null) {
            journal.forget();
        }
        afterCommit.subList(mark.afterCommit(), afterCommit.size()).clear();
        onCommit.subList(mark.onCommit(), onCommit.size()).clear();
        var undo = onRollback.subList(mark.onRollback(), onRollback.size());
        undo.forEach(Runnable::run);
        undo.clear();
    }
}
