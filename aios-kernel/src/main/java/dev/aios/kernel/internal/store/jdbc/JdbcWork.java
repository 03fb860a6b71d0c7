package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.internal.store.WorkKind;
import dev.aios.kernel.internal.store.WorkStore;
import dev.aios.kernel.spi.Handle;
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

    private final JdbcTx tx;
    private final JdbcHandle handle;
    private final boolean lock;

    /** In {@code tx}; in the writer's, a shared database locks the items selected as due. */
    JdbcWork(JdbcTx tx) {
        this.tx = tx;
        this.handle = tx.handle();
        this.lock = tx.isWriter() && handle.dialect() == Handle.Dialect.POSTGRESQL;
    }

    @Override
    public void add(WorkItem item) {
        var key = item.key();
        tx.leaseChanged(key);
        handle.updateLater(
                "INSERT INTO work (run_id, step_id, iteration, kind, visible_at, attempt) VALUES (?, ?, ?, ?, ?, ?)",
                key.runId(),
                key.step(),
                key.iteration(),
                item.kind().wire(),
                item.visibleAt(),
                item.attempt());
    }

    @Override
    public void started(WorkKey key, int attempt) {
        handle.updateLater("UPDATE work SET attempt = ?" + KEY, attempt, key.runId(), key.step(), key.iteration());
    }

    @Override
    public void dueAt(WorkKey key, Instant at) {
        tx.leaseChanged(key);
        handle.updateLater(
                "UPDATE work SET visible_at = ?, lease_owner = NULL, lease_until = NULL" + KEY,
                at,
                key.runId(),
                key.step(),
                key.iteration());
    }

    @Override
    public void dueAt(WorkKey key, Instant at, int attempt) {
        tx.leaseChanged(key);
        handle.updateLater(
                "UPDATE work SET visible_at = ?, attempt = ?, lease_owner = NULL, lease_until = NULL" + KEY,
                at,
                attempt,
                key.runId(),
                key.step(),
                key.iteration());
    }

    @Override
    public void change(WorkKey key, WorkKind kind, Instant at) {
        tx.leaseChanged(key);
        handle.updateLater(
                "UPDATE work SET kind = ?, visible_at = ?, lease_owner = NULL, lease_until = NULL" + KEY,
                kind.wire(),
                at,
                key.runId(),
                key.step(),
                key.iteration());
    }

    @Override
    public void remove(WorkKey key) {
        tx.leaseChanged(key);
        handle.updateLater("DELETE FROM work" + KEY, key.runId(), key.step(), key.iteration());
    }

    @Override
    public void put(WorkItem item) {
        var key = item.key();
        tx.leaseChanged(key);
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
    }

    @Override
    public void remove(WorkKey key, WorkKind kind) {
        tx.leaseChanged(key);
        handle.updateLater(
                "DELETE FROM work" + KEY + " AND kind = ?", key.runId(), key.step(), key.iteration(), kind.wire());
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
        tx.leaseChanged(null);
        handle.updateLater("DELETE FROM work WHERE run_id = ?", runId);
    }

    @Override
    public void removeWithin(String runId, String scope) {
        tx.leaseChanged(null);
        handle.updateLater(
                "DELETE FROM work WHERE run_id = ? AND substr(step_id, 1, CAST(? AS INTEGER)) = ?",
                runId,
                scope.length() + 1,
                scope + "/");
    }

    @Override
    public List<WorkItem> due(Instant now, int max) {
        return handle.query(
                "SELECT run_id, step_id, iteration, kind, visible_at, attempt FROM work"
                        + " WHERE visible_at <= ? AND (lease_until IS NULL OR lease_until <= ?)"
                        + " ORDER BY visible_at LIMIT ?"
                        + (lock ? " FOR UPDATE SKIP LOCKED" : ""),
                r -> new WorkItem(
                        new WorkKey(r.text("run_id"), r.text("step_id"), (int) r.integer("iteration")),
                        WorkKind.fromWire(r.text("kind")),
                        r.instant("visible_at"),
                        (int) r.integer("attempt")),
                now,
                now,
                max);
    }

    /**
     * A run's due items, by the primary key. Not ordered by SQL: SQLite would sort the one or two
     * rows found in a temporary B-tree set up for each query, which cost three times what finding
     * them did.
     */
    private static final String DUE_OF_RUN = "SELECT run_id, step_id, iteration, kind, visible_at, attempt FROM work"
            + " WHERE run_id = ? AND visible_at <= ? AND (lease_until IS NULL OR lease_until <= ?)";

    private static final String DUE_OF_RUN_LOCKED = DUE_OF_RUN + " FOR UPDATE SKIP LOCKED";

    @Override
    public List<WorkItem> due(String runId, Instant now) {
        var due = handle.query(lock ? DUE_OF_RUN_LOCKED : DUE_OF_RUN, JdbcWork::item, runId, now, now);
        if (due.size() < 2) {
            return due;
        }
        var sorted = new java.util.ArrayList<>(due);
        sorted.sort(Comparator.comparing(WorkItem::visibleAt));
        return sorted;
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
        tx.leaseChanged(key);
        handle.updateLater(
                "UPDATE work SET lease_owner = ?, lease_until = ?" + KEY,
                owner,
                until,
                key.runId(),
                key.step(),
                key.iteration());
        remember(key, owner);
    }

    /** Keeps that {@code owner} holds the lease of {@code key}, until the unit rolls back. */
    private void remember(WorkKey key, String owner) {
        var held = tx.leasesHeld();
        if (held != null) {
            held.put(key, owner);
            tx.onRollback(() -> tx.leaseChanged(key));
        }
    }

    @Override
    public Optional<Instant> nextDue(Instant now) {
        return handle.queryOne(
                "SELECT MIN(visible_at) AS n FROM work WHERE lease_until IS NULL OR lease_until <= ?",
                r -> r.optionalInstant("n").orElse(null),
                now);
    }

    @Override
    public boolean holds(WorkKey key, String owner) {
        var held = tx.leasesHeld();
        if (held != null && owner.equals(held.get(key))) {
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
        tx.leaseChanged(null);
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
