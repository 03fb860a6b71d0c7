package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.Digest;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskStatus;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.ReportStore;
import dev.aios.kernel.spi.Handle;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The reports' aggregates over the runs and tasks tables. */
final class JdbcReports implements ReportStore {
    private static final String ENDED = "('completed', 'failed', 'cancelled', 'compensated')";

    private final Handle handle;

    JdbcReports(Handle handle) {
        this.handle = handle;
    }

    @Override
    public long runsStarted(Instant since) {
        return handle.count("SELECT COUNT(*) AS n FROM runs WHERE created_at >= ?", since);
    }

    @Override
    public long runsEnded(RunStatus status, Instant since) {
        return handle.count(
                "SELECT COUNT(*) AS n FROM runs WHERE status = ? AND updated_at >= ?", status.wire(), since);
    }

    @Override
    public List<Digest.Count> answered(Instant since) {
        return handle.query(
                "SELECT kind, status, COUNT(*) AS n FROM tasks WHERE resolved_at >= ? GROUP BY kind, status"
                        + " ORDER BY n DESC, kind, status",
                r -> new Digest.Count(r.text("kind") + " " + r.text("status"), r.integer("n")),
                since);
    }

    @Override
    public List<Failure> parkedSteps(Instant since, int limit) {
        return handle.query(
                "SELECT run_id, details FROM tasks WHERE kind IN (?, ?) AND created_at >= ?"
                        + " ORDER BY created_at DESC LIMIT ?",
                r -> new Failure(
                        r.text("run_id"),
                        Json.tree(r.text("details")).path("error").asText("")),
                TaskKind.DEAD_LETTER.wire(),
                TaskKind.COMPENSATION.wire(),
                since,
                limit);
    }

    @Override
    public List<Failure> failedRuns(Instant since, int limit) {
        // The error is read from the stored JSON: a run that ended is stored whole (see RunStore).
        return handle.query(
                "SELECT id, state FROM runs WHERE status = ? AND updated_at >= ? ORDER BY updated_at DESC LIMIT ?",
                r -> new Failure(
                        r.text("id"), Json.tree(r.text("state")).path("error").asText("")),
                RunStatus.FAILED.wire(),
                since,
                limit);
    }

    @Override
    public List<RunSummary> longest(Instant since, int limit) {
        return handle.query(
                "SELECT id, playbook, version, subject, status, current_step, created_at, updated_at FROM runs"
                        + " WHERE status IN " + ENDED + " AND updated_at >= ?"
                        + " ORDER BY updated_at - created_at DESC LIMIT ?",
                JdbcRuns::summary,
                since,
                limit);
    }

    @Override
    public List<Wait> waits(Instant since, int limit) {
        return handle.query(
                "SELECT kind, resolved_at - created_at AS waited FROM tasks WHERE resolved_at >= ?"
                        + " AND status <> ? ORDER BY resolved_at DESC LIMIT ?",
                r -> new Wait(r.text("kind"), r.integer("waited")),
                since,
                TaskStatus.CANCELLED.wire(),
                limit);
    }

    @Override
    public Map<String, Long> runsPerVersion() {
        var counts = new TreeMap<String, Long>();
        handle.query("SELECT playbook, version, COUNT(*) AS n FROM runs GROUP BY playbook, version", r -> {
            counts.put(r.text("playbook") + "@" + r.text("version"), r.integer("n"));
            return null;
        });
        return counts;
    }
}
