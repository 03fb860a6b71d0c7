package dev.aios.kernel.internal.store.sqlite;

import dev.aios.kernel.internal.store.ApiTokenStore;
import dev.aios.kernel.internal.store.AuditStore;
import dev.aios.kernel.internal.store.AwaitStore;
import dev.aios.kernel.internal.store.DerivedState;
import dev.aios.kernel.internal.store.EventStore;
import dev.aios.kernel.internal.store.InstanceStore;
import dev.aios.kernel.internal.store.JournalStore;
import dev.aios.kernel.internal.store.KeyStore;
import dev.aios.kernel.internal.store.LoopStore;
import dev.aios.kernel.internal.store.PlaybookStore;
import dev.aios.kernel.internal.store.ReceiptStore;
import dev.aios.kernel.internal.store.ReportStore;
import dev.aios.kernel.internal.store.RunStore;
import dev.aios.kernel.internal.store.SecretValueStore;
import dev.aios.kernel.internal.store.SnapshotStore;
import dev.aios.kernel.internal.store.TaskStore;
import dev.aios.kernel.internal.store.Tx;
import dev.aios.kernel.internal.store.WorkStore;
import dev.aios.kernel.internal.store.jdbc.JdbcHandle;
import java.util.ArrayList;
import java.util.List;

/** A transaction on the SQLite store: the writer's (shared by a batch of units) or a read. */
final class SqliteTx implements Tx {
    private final SqliteStore store;
    private final JdbcHandle handle;
    private final boolean writer;
    private final List<Runnable> afterCommit = new ArrayList<>();
    private final List<Runnable> onRollback = new ArrayList<>();
    private SqliteJournal journal;
    private SqliteEvents events;
    private SqliteRuns runs;
    private SqliteWork work;
    private SqliteAwaits awaits;
    private SqliteLoops loops;
    private SqliteInstances instances;
    private SqliteTasks tasks;
    private SqliteReceipts receipts;
    private SqliteKeys keys;
    private SqlitePlaybooks playbooks;

    SqliteTx(SqliteStore store, JdbcHandle handle, boolean writer) {
        this.store = store;
        this.handle = handle;
        this.writer = writer;
    }

    JdbcHandle handle() {
        return handle;
    }

    SqliteStore store() {
        return store;
    }

    /** Whether this is the writer's transaction: the one place where run states may be kept. */
    boolean isWriter() {
        return writer;
    }

    @Override
    public JournalStore journal() {
        if (journal == null) {
            journal = new SqliteJournal(this);
        }
        return journal;
    }

    @Override
    public EventStore events() {
        if (events == null) {
            events = new SqliteEvents(handle);
        }
        return events;
    }

    @Override
    public RunStore runs() {
        return sqliteRuns();
    }

    @Override
    public SnapshotStore snapshots() {
        return sqliteRuns();
    }

    private SqliteRuns sqliteRuns() {
        if (runs == null) {
            runs = new SqliteRuns(this);
        }
        return runs;
    }

    @Override
    public WorkStore work() {
        if (work == null) {
            work = new SqliteWork(handle);
        }
        return work;
    }

    @Override
    public AwaitStore awaits() {
        if (awaits == null) {
            awaits = new SqliteAwaits(handle);
        }
        return awaits;
    }

    @Override
    public LoopStore loops() {
        if (loops == null) {
            loops = new SqliteLoops(handle);
        }
        return loops;
    }

    @Override
    public InstanceStore instances() {
        if (instances == null) {
            instances = new SqliteInstances(handle);
        }
        return instances;
    }

    @Override
    public TaskStore tasks() {
        if (tasks == null) {
            tasks = new SqliteTasks(handle);
        }
        return tasks;
    }

    @Override
    public ReceiptStore receipts() {
        if (receipts == null) {
            receipts = new SqliteReceipts(handle);
        }
        return receipts;
    }

    @Override
    public KeyStore keys() {
        if (keys == null) {
            keys = new SqliteKeys(handle);
        }
        return keys;
    }

    @Override
    public PlaybookStore playbooks() {
        if (playbooks == null) {
            playbooks = new SqlitePlaybooks(handle);
        }
        return playbooks;
    }

    @Override
    public ReportStore reports() {
        return new SqliteReports(handle);
    }

    @Override
    public AuditStore audit() {
        return new SqliteAudit(handle);
    }

    @Override
    public ApiTokenStore tokens() {
        return new SqliteTokens(handle);
    }

    @Override
    public SecretValueStore secrets() {
        return new SqliteSecrets(handle);
    }

    @Override
    public DerivedState derived() {
        return new SqliteDerived(handle);
    }

    @Override
    public void afterCommit(Runnable action) {
        afterCommit.add(action);
    }

    @Override
    public void onRollback(Runnable action) {
        onRollback.add(action);
    }

    List<Runnable> takeAfterCommit() {
        var actions = List.copyOf(afterCommit);
        afterCommit.clear();
        onRollback.clear();
        return actions;
    }

    /** Where the work of a unit begins, to undo its registrations if it is rolled back. */
    record Mark(int afterCommit, int onRollback) {}

    Mark mark() {
        return new Mark(afterCommit.size(), onRollback.size());
    }

    /** Forgets what was registered since {@code mark}, running its rollback actions. */
    void rollBackTo(Mark mark) {
        afterCommit.subList(mark.afterCommit(), afterCommit.size()).clear();
        var undo = onRollback.subList(mark.onRollback(), onRollback.size());
        undo.forEach(Runnable::run);
        undo.clear();
    }
}
