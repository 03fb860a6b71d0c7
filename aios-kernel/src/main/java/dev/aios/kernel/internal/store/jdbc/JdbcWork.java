package dev.aios.kernel.internal.store.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.TaskStatus;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.internal.store.WorkKind;
import dev.aios.kernel.internal.store.WorkStore;
import dev.aios.kernel.spi.Handle;
import java.sql.Types;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The work table. Due items are selected and leased in one transaction; on a database that several
 * nodes share they are locked as they are selected, skipping those another transaction holds, so
 * no item is handed out twice. Where the writer keeps the leases it granted ({@link
 * JdbcTx#leasesHeld}), every change of an item's row here says so, and a lease check it can answer
 * costs no round trip.
 */
final class JdbcWork implements WorkStore {
    private static final String KEY = " WHERE run_id = ? AND step_id = ? AND iteration = ?";

    /** A new item, with the lease it may take in the same unit (see {@link #add}). */
    static final String INSERT_LEASED = "INSERT INTO work (run_id, step_id, iteration, kind, visible_at, attempt,"
            + " lease_owner, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    /** A completed step's item, its wait for an event and its forEach's items (see {@link #removeCompleted}). */
    static final String REMOVE_COMPLETED = "WITH w AS (DELETE FROM work" + KEY + "), a AS (DELETE FROM awaits" + KEY
            + ") DELETE FROM loop_items WHERE run_id = ? AND block = ?";

    /** An item's start and its lease, in one statement. */
    static final String START_AND_LEASE = "UPDATE work SET attempt = ?, lease_owner = ?, lease_until = ?" + KEY;

    /** An item's lease. */
    static final String LEASE = "UPDATE work SET lease_owner = ?, lease_until = ?" + KEY;

    /** An ended run's items, forEach items and waits, and its open tasks cancelled (see {@link #removeEnded}). */
    static final String REMOVE_ENDED = "WITH w AS (DELETE FROM work WHERE run_id = ?), l AS (DELETE FROM loop_items"
            + " WHERE run_id = ?), a AS (DELETE FROM awaits WHERE run_id = ?)"
            + " UPDATE tasks SET status = ?, resolved_at = ?, resolution = ? WHERE run_id = ? AND status = ?";

    private final JdbcTx tx;
    private final JdbcHandle handle;
    private final boolean lock;

    /** In {@code tx}; in the writer's, a shared database locks the items selected as due. */
    JdbcWork(JdbcTx tx) {
        this.tx = tx;
        this.handle = tx.handle();
        this.lock = tx.isWriter() && handle.dialect() == Handle.Dialect.POSTGRESQL;
    }

    /**
     * The row of {@code item} inserted last and not sent yet (PostgreSQL writer) or held back (SQLite
     * writer, {@link JdbcHandle#hold}), its attempt and lease still open: a start or a lease of the
     * item before anything else changes it goes into the insert.
     */
    private record Added(WorkItem item, JdbcHandle.Later attempt, JdbcHandle.Later owner, JdbcHandle.Later until) {
        WorkKey key() {
            return item.key();
        }
    }

    private Added lastAdded;

    /**
     * Before a statement changing {@code key}'s row (every row's, when null): its lease may change,
     * and a row inserted before can no longer take a lease into its insert.
     */
    private void changing(WorkKey key) {
        lastAdded = null;
        tx.runChanged(key == null ? null : key.runId());
        tx.leaseChanged(key);
    }

    @Override
    public void add(WorkItem item) {
        var key = item.key();
        changing(key);
        if (handle.defersWrites() || handle.holdsWrites()) {
            // The next step's row is mostly leased in the same unit: the lease then needs no statement.
            // Whatever SQLite holds back runs first, so that the arguments made next are the new row's.
            handle.runHeld();
            var added = new Added(
                    item,
                    handle.later(item.attempt(), Types.BIGINT),
                    handle.later(null, Types.VARCHAR),
                    handle.later(null, Types.BIGINT));
            handle.hold(
                    INSERT_LEASED,
                    key.runId(),
                    key.step(),
                    key.iteration(),
                    item.kind().wire(),
                    item.visibleAt(),
                    added.attempt(),
                    added.owner(),
                    added.until());
            lastAdded = added;
            keep(key, row -> fresh(item));
            return;
        }
        handle.updateLater(
                "INSERT INTO work (run_id, step_id, iteration, kind, visible_at, attempt) VALUES (?, ?, ?, ?, ?, ?)",
                key.runId(),
                key.step(),
                key.iteration(),
                item.kind().wire(),
                item.visibleAt(),
                item.attempt());
        keep(key, row -> fresh(item));
    }

    /**
     * The attempt of an item written last by {@link #started} and not sent yet (PostgreSQL writer),
     * between the marks before and after it: a lease of the same item right after takes its
     * statement back and writes both in one.
     */
    private record Started(WorkKey key, int attempt, JdbcHandle.Pending before, JdbcHandle.Pending after) {}

    private Started lastStarted;

    @Override
    public void started(WorkKey key, int attempt) {
        tx.runChanged(key.runId());
        var added = lastAdded;
        if (added != null
                && handle.holdsWrites()
                && added.key().equals(key)
                && handle.change(added.attempt(), attempt)) {
            // Still held back by SQLite's writer: the insert writes the start.
            var item = added.item();
            lastAdded = new Added(
                    new WorkItem(key, item.kind(), item.visibleAt(), attempt),
                    added.attempt(),
                    added.owner(),
                    added.until());
            lastStarted = null;
            return;
        }
        var before = handle.defersWrites() ? handle.pending() : null;
        handle.updateLater("UPDATE work SET attempt = ?" + KEY, attempt, key.runId(), key.step(), key.iteration());
        lastStarted = before == null ? null : new Started(key, attempt, before, handle.pending());
        keep(
                key,
                row -> row == null
                        ? null
                        : new WorkRow(row.kind(), row.visibleAt(), attempt, row.leaseOwner(), row.leaseUntil()));
    }

    @Override
    public void dueAt(WorkKey key, Instant at) {
        changing(key);
        handle.updateLater(
                "UPDATE work SET visible_at = ?, lease_owner = NULL, lease_until = NULL" + KEY,
                at,
                key.runId(),
                key.step(),
                key.iteration());
        keep(key, row -> row == null ? null : row.dueAgain(at.toEpochMilli()));
    }

    @Override
    public void dueAt(WorkKey key, Instant at, int attempt) {
        changing(key);
        handle.updateLater(
                "UPDATE work SET visible_at = ?, attempt = ?, lease_owner = NULL, lease_until = NULL" + KEY,
                at,
                attempt,
                key.runId(),
                key.step(),
                key.iteration());
        keep(key, row -> row == null ? null : new WorkRow(row.kind(), at.toEpochMilli(), attempt, null, null));
    }

    @Override
    public void change(WorkKey key, WorkKind kind, Instant at) {
        changing(key);
        handle.updateLater(
                "UPDATE work SET kind = ?, visible_at = ?, lease_owner = NULL, lease_until = NULL" + KEY,
                kind.wire(),
                at,
                key.runId(),
                key.step(),
                key.iteration());
        keep(key, row -> row == null ? null : new WorkRow(kind.wire(), at.toEpochMilli(), row.attempt(), null, null));
    }

    @Override
    public void remove(WorkKey key) {
        changing(key);
        handle.updateLater("DELETE FROM work" + KEY, key.runId(), key.step(), key.iteration());
        keep(key, row -> null);
    }

    /**
     * Removes a completed step's item with its wait for an event and its forEach's items, in one
     * statement: see {@link dev.aios.kernel.internal.store.Tx#stepCompleted}.
     */
    void removeCompleted(WorkKey key) {
        changing(key);
        handle.updateLater(
                REMOVE_COMPLETED,
                key.runId(),
                key.step(),
                key.iteration(),
                key.runId(),
                key.step(),
                key.iteration(),
                key.runId(),
                key.step());
        keep(key, row -> null);
    }

    @Override
    public void put(WorkItem item) {
        var key = item.key();
        changing(key);
        handle.updateLater(
                "INSERT INTO work (run_id, step_id, iteration, kind, visible_at, attempt) VALUES (?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (run_id, step_id, iteration) DO UPDATE SET kind = excluded.kind,"
                        + " visible_at = excluded.visible_at, attempt = excluded.attempt, lease_owner = NULL,"
                        + " lease_until = NULL",
                key.runId(),
                key.step(),
                key.iteration(),
                item.kind().wire(),
                item.visibleAt(),
                item.attempt());
        keep(key, row -> fresh(item));
    }

    @Override
    public void remove(WorkKey key, WorkKind kind) {
        changing(key);
        handle.updateLater(
                "DELETE FROM work" + KEY + " AND kind = ?", key.runId(), key.step(), key.iteration(), kind.wire());
        keep(key, row -> row == null || row.kind().equals(kind.wire()) ? null : row);
    }

    @Override
    public dev.aios.kernel.Overview.Queue queue(Instant at) {
        return handle.queryOne(
                        "SELECT"
                                + " COALESCE(SUM(CASE WHEN lease_until > ? THEN 1 ELSE 0 END), 0) AS leased,"
                                + " COALESCE(SUM(CASE WHEN (lease_until IS NULL OR lease_until <= ?)"
                                + " AND visible_at <= ? THEN 1 ELSE 0 END), 0) AS due,"
                                + " COALESCE(SUM(CASE WHEN (lease_until IS NULL OR lease_until <= ?)"
                                + " AND visible_at > ? THEN 1 ELSE 0 END), 0) AS later,"
                                + " MIN(CASE WHEN (lease_until IS NULL OR lease_until <= ?)"
                                + " AND visible_at <= ? THEN visible_at END) AS oldest"
                                + " FROM work",
                        r -> new dev.aios.kernel.Overview.Queue(
                                r.integer("due"), r.integer("leased"), r.integer("later"), r.optionalInstant("oldest")),
                        at,
                        at,
                        at,
                        at,
                        at,
                        at,
                        at)
                .orElseThrow();
    }

    @Override
    public void removeRun(String runId) {
        forgetRun(runId);
        handle.updateLater("DELETE FROM work WHERE run_id = ?", runId);
    }

    /** Forgets what this writer kept of the run's items: the last one added, their leases, the run's work. */
    private void forgetRun(String runId) {
        lastAdded = null;
        tx.runChanged(runId);
        tx.leasesOfRunChanged(runId);
        tx.forgetWork(runId);
    }

    /**
     * Removes an ended run's items with its forEach's items and its waits for events, and cancels its
     * open tasks, in one statement: see {@link dev.aios.kernel.internal.store.Tx#runEnded}.
     */
    void removeEnded(String runId, Instant at, JsonNode resolution) {
        forgetRun(runId);
        handle.updateLater(
                REMOVE_ENDED,
                runId,
                runId,
                runId,
                TaskStatus.CANCELLED.wire(),
                at,
                Json.text(resolution),
                runId,
                TaskStatus.OPEN.wire());
    }

    @Override
    public void removeWithin(String runId, String scope) {
        lastAdded = null;
        tx.runChanged(runId);
        tx.leasesOfRunChanged(runId);
        tx.forgetWork(runId);
        handle.updateLater(
                "DELETE FROM work WHERE run_id = ? AND substr(step_id, 1, CAST(? AS INTEGER)) = ?",
                runId,
                scope.length() + 1,
                scope + "/");
    }

    /**
     * The items due, free or with a lease that ran out, the longest due first. On PostgreSQL in one
     * statement, locked in the writer (a lock cannot be taken on a union), through the index on
     * {@code visible_at}; SQLite has no locks to take and two indexes instead (V14, see {@link
     * #dueOnSqlite}).
     */
    @Override
    public List<WorkItem> due(Instant now, int max) {
        if (handle.dialect() == Handle.Dialect.SQLITE) {
            return dueOnSqlite(now, max);
        }
        return handle.query(
                "SELECT run_id, step_id, iteration, kind, visible_at, attempt" + DUE
                        + (lock ? " FOR UPDATE SKIP LOCKED" : ""),
                JdbcWork::item,
                now,
                now,
                max);
    }

    /** Where {@link #due} finds the items due at a time (given twice), the longest due first, at most a number of them. */
    private static final String DUE = " FROM work WHERE visible_at <= ? AND (lease_until IS NULL OR lease_until <= ?)"
            + " ORDER BY visible_at LIMIT ?";

    /** The rows of the items {@link #due} finds, locked (see {@link #row}): the look of {@link DueAhead}. */
    static final String DUE_ROWS_LOCKED = "SELECT run_id, step_id, iteration, kind, visible_at, attempt, lease_owner,"
            + " lease_until" + DUE + " FOR UPDATE SKIP LOCKED";

    /** SQLite's free items due, in order, through {@code work_free}: no leased row is read. */
    private static final String FREE_DUE = "SELECT run_id, step_id, iteration, kind, visible_at, attempt FROM work"
            + " WHERE lease_until IS NULL AND visible_at <= ? ORDER BY visible_at LIMIT ?";

    /** Whether any lease ran out, through {@code work_leased}: mostly none. */
    private static final String ANY_LEASE_OVER =
            "SELECT COUNT(*) FROM (SELECT 1 FROM work WHERE lease_until <= ? LIMIT 1)";

    /** SQLite's items due whose lease ran out, in order. */
    private static final String LEASE_OVER_DUE = "SELECT run_id, step_id, iteration, kind, visible_at, attempt"
            + " FROM work WHERE lease_until <= ? AND visible_at <= ? ORDER BY visible_at LIMIT ?";

    /**
     * The items due on SQLite: the free ones in the order of {@code work_free}, and, when a lease ran
     * out, those items merged in. One query over the index on {@code visible_at} walked every leased
     * item due before the first free one (at 64 steps in flight, 64 rows read for each run that
     * ended, to find the next run's first step), since a lease leaves its item's due time as it was:
     * freeing an abandoned lease makes the item due since then again.
     */
    private List<WorkItem> dueOnSqlite(Instant now, int max) {
        var free = handle.query(FREE_DUE, JdbcWork::item, now, max);
        if (handle.count(ANY_LEASE_OVER, now) == 0) {
            return free;
        }
        var due = new java.util.ArrayList<>(free);
        due.addAll(handle.query(LEASE_OVER_DUE, JdbcWork::item, now, now, max));
        due.sort(Comparator.comparing(WorkItem::visibleAt));
        return due.size() > max ? List.copyOf(due.subList(0, max)) : due;
    }

    /**
     * {@inheritDoc} In the PostgreSQL writer, from the items its transaction found due as it took its
     * turn and what it changed since (see {@link DueAhead}), when they tell.
     */
    @Override
    public List<WorkItem> dueLongest(Instant now, int max) {
        var ahead = tx.dueAhead();
        var known = ahead == null ? null : ahead.due(now.toEpochMilli(), max);
        return known != null ? known : due(now, max);
    }

    /**
     * A run's due items, by the primary key. Not ordered by SQL: SQLite would sort the one or two
     * rows found in a temporary B-tree set up for each query, which cost three times what finding
     * them did.
     */
    private static final String DUE_OF_RUN = "SELECT run_id, step_id, iteration, kind, visible_at, attempt FROM work"
            + " WHERE run_id = ? AND visible_at <= ? AND (lease_until IS NULL OR lease_until <= ?)";

    @Override
    public List<WorkItem> due(String runId, Instant now) {
        var due = lock ? dueKept(runId, now) : dueOfRun(runId, now);
        if (due.size() < 2) {
            return due;
        }
        var sorted = new java.util.ArrayList<>(due);
        sorted.sort(Comparator.comparing(WorkItem::visibleAt));
        return sorted;
    }

    /**
     * A run's due items read from the database; the row SQLite's writer holds back for it, if any,
     * is not written for this read but counted in.
     */
    private List<WorkItem> dueOfRun(String runId, Instant now) {
        var added = lastAdded;
        if (added == null || !added.key().runId().equals(runId) || !handle.isHeld(added.attempt())) {
            return handle.query(DUE_OF_RUN, JdbcWork::item, runId, now, now);
        }
        var due = handle.queryBesideHeld(DUE_OF_RUN, JdbcWork::item, runId, now, now);
        // Inserted free (a lease would have ended the hold's use here), so due once its time came.
        if (added.item().visibleAt().isAfter(now)) {
            return due;
        }
        var all = new java.util.ArrayList<>(due);
        all.add(added.item());
        return all;
    }

    /**
     * All rows of a run, locked (in the writer on a shared database): read whole so that the writer
     * may keep them and answer the run's next due query from memory.
     */
    private static final String ALL_OF_RUN_LOCKED =
            "SELECT run_id, step_id, iteration, kind, visible_at, attempt, lease_owner, lease_until FROM work"
                    + " WHERE run_id = ? FOR UPDATE SKIP LOCKED";

    /**
     * The run's due items in the writer on a shared database: from the rows kept in memory when the
     * writer knows the run's work whole, else read (all of the run's rows, locked) and kept.
     */
    private List<WorkItem> dueKept(String runId, Instant now) {
        var kept = tx.workKept();
        var rows = kept == null ? null : kept.get(runId);
        if (rows == null) {
            var read = new java.util.LinkedHashMap<WorkKey, WorkRow>();
            for (var entry : handle.query(ALL_OF_RUN_LOCKED, JdbcWork::row, runId)) {
                read.put(entry.getKey(), entry.getValue());
            }
            rows = read;
            // Asked again: the round trip just made may have brought the writer's turn.
            kept = tx.workKept();
            if (kept != null) {
                kept.put(runId, read);
                tx.onRollback(() -> tx.forgetWork(runId));
            }
        }
        long at = now.toEpochMilli();
        var due = new java.util.ArrayList<WorkItem>(2);
        for (var entry : rows.entrySet()) {
            var row = entry.getValue();
            if (row.dueAt(at)) {
                due.add(new WorkItem(
                        entry.getKey(), WorkKind.fromWire(row.kind()), Instant.ofEpochMilli(row.visibleAt()), (int)
                                row.attempt()));
            }
        }
        return due;
    }

    static java.util.Map.Entry<WorkKey, WorkRow> row(dev.aios.kernel.spi.Row r) {
        return java.util.Map.entry(
                new WorkKey(r.text("run_id"), r.text("step_id"), (int) r.integer("iteration")),
                new WorkRow(
                        r.text("kind"),
                        r.integer("visible_at"),
                        r.integer("attempt"),
                        r.optionalText("lease_owner").orElse(null),
                        r.optionalInteger("lease_until").orElse(null)));
    }

    /** A new item's row: due at its time, leased by no one. */
    private static WorkRow fresh(WorkItem item) {
        return new WorkRow(item.kind().wire(), item.visibleAt().toEpochMilli(), item.attempt(), null, null);
    }

    /**
     * Applies a change of the row of {@code key} to the rows kept of its run, if the writer keeps
     * them ({@code change} gets null for a row that does not exist, and returns null for one that
     * does not any more); forgets the run if the writer cannot tell now whether it keeps it.
     */
    private void keep(WorkKey key, java.util.function.UnaryOperator<WorkRow> change) {
        if (!lock) {
            return;
        }
        var ahead = tx.dueAhead();
        if (ahead != null) {
            ahead.change(key, change);
            // Undone with the unit: the run's items are then no longer known.
            tx.onRollback(() -> ahead.forget(key.runId()));
        }
        var kept = tx.workKept();
        if (kept == null) {
            tx.forgetWork(key.runId());
            return;
        }
        var rows = kept.get(key.runId());
        if (rows == null) {
            return;
        }
        var row = change.apply(rows.get(key));
        if (row == null) {
            rows.remove(key);
        } else {
            rows.put(key, row);
        }
        // Undone with the unit: the run is then no longer known.
        tx.onRollback(() -> tx.forgetWork(key.runId()));
    }

    private static WorkItem item(dev.aios.kernel.spi.Row r) {
        return new WorkItem(
                new WorkKey(r.text("run_id"), r.text("step_id"), (int) r.integer("iteration")),
                WorkKind.fromWire(r.text("kind")),
                r.instant("visible_at"),
                (int) r.integer("attempt"));
    }

    @Override
    public void lease(WorkKey key, String owner, Instant until) {
        tx.runChanged(key.runId());
        tx.leaseChanged(key);
        var started = lastStarted;
        lastStarted = null;
        var added = lastAdded;
        lastAdded = null;
        boolean startedLast =
                started != null && started.key().equals(key) && handle.pending().equals(started.after());
        if (added != null && added.key().equals(key) && handle.change(added.owner(), owner)) {
            // Inserted in this unit and not sent yet: the insert writes the lease (and the start,
            // if it is the last statement waiting), as no other statement changed the row since.
            handle.change(added.until(), until);
            if (startedLast) {
                handle.discardSince(started.before());
                handle.change(added.attempt(), started.attempt());
            }
        } else if (startedLast) {
            // The item's start is the last statement waiting: one statement writes both (a
            // step's start and its lease go together on every step).
            handle.discardSince(started.before());
            handle.updateLater(
                    START_AND_LEASE, started.attempt(), owner, until, key.runId(), key.step(), key.iteration());
        } else {
            handle.updateLater(LEASE, owner, until, key.runId(), key.step(), key.iteration());
        }
        remember(key, owner);
        keep(
                key,
                row -> row == null
                        ? null
                        : new WorkRow(row.kind(), row.visibleAt(), row.attempt(), owner, until.toEpochMilli()));
    }

    /** Keeps that {@code owner} holds the lease of {@code key}, until the unit rolls back. */
    private void remember(WorkKey key, String owner) {
        var held = tx.leasesHeld();
        if (held != null) {
            held.held(key, owner);
            tx.onRollback(() -> tx.leaseChanged(key));
        }
    }

    @Override
    public Optional<Instant> nextDue(Instant now) {
        return handle.queryOne(
                handle.dialect() == Handle.Dialect.SQLITE
                        // Each part through its own index (V14), as in dueOnSqlite.
                        ? "SELECT MIN(n) AS n FROM (SELECT MIN(visible_at) AS n FROM work WHERE lease_until IS NULL"
                                + " UNION ALL SELECT MIN(visible_at) FROM work WHERE lease_until <= ?)"
                        : "SELECT MIN(visible_at) AS n FROM work WHERE lease_until IS NULL OR lease_until <= ?",
                r -> r.optionalInstant("n").orElse(null),
                now);
    }

    @Override
    public boolean holds(WorkKey key, String owner) {
        var held = tx.leasesHeld();
        if (held != null && owner.equals(held.owner(key))) {
            return true;
        }
        boolean holds = handle.count(
                        "SELECT COUNT(*) FROM work" + KEY + " AND lease_owner = ?",
                        key.runId(),
                        key.step(),
                        key.iteration(),
                        owner)
                > 0;
        if (holds) {
            remember(key, owner);
        }
        return holds;
    }

    @Override
    public boolean extend(WorkKey key, String owner, Instant until) {
        lastAdded = null;
        tx.runChanged(key.runId());
        tx.forgetWork(key.runId());
        return handle.update(
                        "UPDATE work SET lease_until = ?" + KEY + " AND lease_owner = ?",
                        until,
                        key.runId(),
                        key.step(),
                        key.iteration(),
                        owner)
                > 0;
    }

    @Override
    public int releaseAbandoned(String node, Instant silentSince) {
        changing(null);
        tx.forgetWork(null);
        if (handle.dialect() == Handle.Dialect.POSTGRESQL) {
            // Other nodes may be alive: only the leases of nodes that stopped saying so are freed.
            return handle.update(
                    "UPDATE work SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL"
                            + " AND substr(lease_owner, 1, CAST(? AS INTEGER)) <> ?"
                            + " AND NOT EXISTS (SELECT 1 FROM nodes n WHERE n.seen_at >= ?"
                            + " AND substr(work.lease_owner, 1, length(n.name) + 1) = n.name || '/')",
                    node.length() + 1,
                    node + "/",
                    silentSince);
        }
        // This process owns the data directory: a lease of any other node is left from one that died.
        return handle.update(
                "UPDATE work SET lease_owner = NULL, lease_until = NULL"
                        + " WHERE lease_owner IS NOT NULL AND lease_owner NOT LIKE ? ESCAPE '\\'",
                escapeLike(node) + "/%");
    }

    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
