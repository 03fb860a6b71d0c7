package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.Cursor;
import dev.aios.kernel.JournalRecord;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.Overview;
import dev.aios.kernel.Page;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.RunView;
import dev.aios.kernel.TaskQuery;
import dev.aios.kernel.TaskView;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.store.Database;
import dev.aios.kernel.spi.SubjectCipher;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the operator reads: runs, journals, tasks; each from one committed moment. */
final class RunQueries {
    private final Database db;
    private final RunJournal journal;
    private final java.time.InstantSource now;

    RunQueries(Database db, RunJournal journal, java.time.InstantSource now) {
        this.db = db;
        this.journal = journal;
        this.now = now;
    }

    Page<RunSummary> runs(RunQuery query) {
        var where = new ArrayList<String>();
        var args = new ArrayList<Object>();
        query.status().ifPresent(s -> {
            where.add("status = ?");
            args.add(s.wire());
        });
        query.playbook().ifPresent(p -> {
            where.add("playbook = ?");
            args.add(p);
        });
        query.subject().ifPresent(s -> {
            where.add("subject = ?");
            args.add(s);
        });
        query.from().ifPresent(from -> {
            where.add("created_at >= ?");
            args.add(from.toEpochMilli());
        });
        query.to().ifPresent(to -> {
            where.add("created_at < ?");
            args.add(to.toEpochMilli());
        });
        query.after().ifPresent(after -> after(where, args, after));
        args.add(query.limit() + 1);
        String sql = "SELECT id, playbook, version, subject, status, current_step, created_at, updated_at FROM runs"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY created_at DESC, id DESC LIMIT ?";
        var rows = db.read(tx -> tx.query(sql, Views::summary, args.toArray()));
        return page(rows, query.limit(), run -> new Cursor(run.createdAt(), run.id()));
    }

    /** Items older than the cursor's, in the newest-first order by time then id. */
    private static void after(List<String> where, List<Object> args, Cursor cursor) {
        where.add("(created_at < ? OR (created_at = ? AND id < ?))");
        args.add(cursor.at().toEpochMilli());
        args.add(cursor.at().toEpochMilli());
        args.add(cursor.id());
    }

    /** The first {@code limit} of {@code rows} (fetched one longer), and a cursor when there were more. */
    private static <T> Page<T> page(List<T> rows, int limit, java.util.function.Function<T, Cursor> cursor) {
        if (rows.size() <= limit) {
            return new Page<>(rows, Optional.empty());
        }
        var items = rows.subList(0, limit);
        return new Page<>(items, Optional.of(cursor.apply(items.getLast()).encode()));
    }

    Overview overview() {
        return db.read(tx -> {
            var counts = new EnumMap<RunStatus, Long>(RunStatus.class);
            for (var status : RunStatus.values()) {
                counts.put(status, 0L);
            }
            tx.query("SELECT status, COUNT(*) AS n FROM runs GROUP BY status", r -> {
                counts.put(RunStatus.fromWire(r.text("status")), r.integer("n"));
                return null;
            });
            var byKind = new java.util.TreeMap<String, Overview.TaskCount>();
            tx.query(
                    "SELECT kind, COUNT(*) AS n, MIN(created_at) AS oldest FROM tasks WHERE status = 'open'"
                            + " GROUP BY kind",
                    r -> byKind.put(r.text("kind"), new Overview.TaskCount(r.integer("n"), r.instant("oldest"))));
            long open =
                    byKind.values().stream().mapToLong(Overview.TaskCount::open).sum();
            return new Overview(
                    counts,
                    open,
                    db.failing(),
                    db.writer().commits(),
                    db.writer().units(),
                    byKind,
                    queue(tx, now.instant()));
        });
    }

    /** The work queue at {@code at}: due and unheld, held, and later. */
    private static Overview.Queue queue(dev.aios.kernel.internal.store.Tx tx, java.time.Instant at)
            throws java.sql.SQLException {
        return tx.queryOne(
                        "SELECT"
                                + " COALESCE(SUM(CASE WHEN lease_until > ? THEN 1 ELSE 0 END), 0) AS leased,"
                                + " COALESCE(SUM(CASE WHEN (lease_until IS NULL OR lease_until <= ?)"
                                + " AND visible_at <= ? THEN 1 ELSE 0 END), 0) AS due,"
                                + " COALESCE(SUM(CASE WHEN (lease_until IS NULL OR lease_until <= ?)"
                                + " AND visible_at > ? THEN 1 ELSE 0 END), 0) AS later,"
                                + " MIN(CASE WHEN (lease_until IS NULL OR lease_until <= ?)"
                                + " AND visible_at <= ? THEN visible_at END) AS oldest"
                                + " FROM work",
                        r -> new Overview.Queue(
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

    RunView run(String runId) {
        return db.read(tx -> {
            var state = journal.load(tx, runId).orElseThrow(() -> noRun(runId));
            var tasks = tx.query(
                    "SELECT " + Views.TASK_COLUMNS + " FROM tasks WHERE run_id = ? ORDER BY created_at, id",
                    Views::task,
                    runId);
            var results = new java.util.HashMap<String, JsonNode>();
            tx.query(
                    "SELECT effect_key, result FROM receipts WHERE run_id = ?",
                    r -> results.put(r.text("effect_key"), Json.tree(r.text("result"))),
                    runId);
            dev.aios.kernel.RunLink parent = null;
            if (state.parent != null) {
                var caller = journal.load(tx, state.parent.run);
                parent = new dev.aios.kernel.RunLink(
                        state.parent.run,
                        state.parent.step,
                        state.parent.iteration,
                        caller.map(c -> c.playbook).orElse(""),
                        caller.map(c -> c.version).orElse(""),
                        caller.flatMap(c -> java.util.Optional.ofNullable(c.children.get(runId)))
                                .map(c -> c.waits)
                                .orElse(true),
                        caller.map(c -> c.status.wire()).orElse("forgotten"));
            }
            return Views.run(state, tasks, results, parent);
        });
    }

    List<JournalRecord> journal(String runId) {
        return journal(runId, 0, Integer.MAX_VALUE);
    }

    /** At most {@code limit} of a run's entries after {@code afterSeq}, oldest first. */
    List<JournalRecord> journal(String runId, long afterSeq, int limit) {
        return db.read(tx -> {
            var stored = journal.stored(tx, runId, afterSeq, limit);
            if (stored.isEmpty()
                    && (afterSeq == 0 || tx.count("SELECT COUNT(*) AS n FROM runs WHERE id = ?", runId) == 0)) {
                throw noRun(runId);
            }
            return stored.stream()
                    .map(s -> new JournalRecord(s.runId(), s.seq(), s.type(), s.at(), payload(s), s.checksum()))
                    .toList();
        });
    }

    Page<TaskView> tasks(TaskQuery query) {
        var where = new ArrayList<String>();
        var args = new ArrayList<Object>();
        if (!query.all()) {
            where.add("status = 'open'");
        }
        query.kind().ifPresent(kind -> {
            where.add("kind = ?");
            args.add(kind);
        });
        query.after().ifPresent(after -> after(where, args, after));
        args.add(query.limit() + 1);
        String sql = "SELECT " + Views.TASK_COLUMNS + " FROM tasks"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY created_at DESC, id DESC LIMIT ?";
        var rows = db.read(tx -> tx.query(sql, Views::task, args.toArray()));
        return page(rows, query.limit(), task -> new Cursor(task.createdAt(), task.id()));
    }

    /** Open tasks counted by kind. */
    Map<String, Long> openTasksByKind() {
        return db.read(tx -> {
            var counts = new java.util.TreeMap<String, Long>();
            tx.query("SELECT kind, COUNT(*) AS n FROM tasks WHERE status = 'open' GROUP BY kind", r -> {
                counts.put(r.text("kind"), r.integer("n"));
                return null;
            });
            return counts;
        });
    }

    TaskView task(String taskId) {
        return db.read(tx -> tx.queryOne(
                        "SELECT " + Views.TASK_COLUMNS + " FROM tasks WHERE id = ?", Views::task, taskId)
                .orElseThrow(() -> new NotFoundException("no task " + taskId + "; list open tasks with `aios tasks`")));
    }

    private JsonNode payload(RunJournal.Stored stored) {
        try {
            return Json.tree(journal.payload(stored));
        } catch (SubjectCipher.ForgottenException e) {
            return Forgetting.FORGOTTEN.deepCopy();
        }
    }

    static NotFoundException noRun(String runId) {
        return new NotFoundException("no run " + runId + "; list runs with `aios runs`");
    }
}
