package dev.aios.kernel.internal.store.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskOption;
import dev.aios.kernel.TaskStatus;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.TaskStore;
import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.spi.Row;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The tasks table. */
final class JdbcTasks implements TaskStore {
    private static final String COLUMNS = "id, run_id, step_id, iteration, kind, status, title, explanation, details,"
            + " proposed, options, created_at, resolved_at, resolution, escalations";
    private static final com.fasterxml.jackson.databind.JavaType OPTIONS =
            Json.mapper().getTypeFactory().constructCollectionType(List.class, TaskOption.class);

    private static final com.fasterxml.jackson.databind.JavaType ESCALATIONS =
            Json.mapper().getTypeFactory().constructCollectionType(List.class, JsonNode.class);

    private final JdbcHandle handle;

    JdbcTasks(JdbcHandle handle) {
        this.handle = handle;
    }

    @Override
    public void open(TaskRecord task) {
        handle.updateLater(
                "INSERT INTO tasks (id, run_id, step_id, iteration, kind, status, title, explanation, details,"
                        + " proposed, options, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                task.id(),
                task.step().runId(),
                task.step().step(),
                task.step().iteration(),
                task.kind().wire(),
                TaskStatus.OPEN.wire(),
                task.title(),
                task.explanation(),
                Json.text(task.details()),
                Json.text(task.proposed()),
                Json.text(task.options()),
                task.createdAt());
    }

    @Override
    public void resolve(String taskId, TaskStatus status, Instant at, JsonNode resolution) {
        handle.updateLater(
                "UPDATE tasks SET status = ?, resolved_at = ?, resolution = ? WHERE id = ?",
                status.wire(),
                at,
                Json.text(resolution),
                taskId);
    }

    @Override
    public void cancelOpen(String runId, Instant at, JsonNode resolution) {
        handle.updateLater(
                "UPDATE tasks SET status = ?, resolved_at = ?, resolution = ? WHERE run_id = ? AND status = ?",
                TaskStatus.CANCELLED.wire(),
                at,
                Json.text(resolution),
                runId,
                TaskStatus.OPEN.wire());
    }

    @Override
    public void cancelOpenWithin(String runId, String scope, Instant at, JsonNode resolution) {
        handle.updateLater(
                "UPDATE tasks SET status = ?, resolved_at = ?, resolution = ?"
                        + " WHERE run_id = ? AND substr(step_id, 1, CAST(? AS INTEGER)) = ? AND status = ?",
                TaskStatus.CANCELLED.wire(),
                at,
                Json.text(resolution),
                runId,
                scope.length() + 1,
                scope + "/",
                TaskStatus.OPEN.wire());
    }

    @Override
    public Optional<TaskRecord> find(String taskId) {
        return handle.queryOne("SELECT " + COLUMNS + " FROM tasks WHERE id = ?", JdbcTasks::task, taskId);
    }

    @Override
    public List<TaskRecord> find(dev.aios.kernel.TaskQuery query, int rows) {
        var where = new java.util.ArrayList<String>();
        var args = new java.util.ArrayList<Object>();
        if (!query.all()) {
            where.add("status = ?");
            args.add(TaskStatus.OPEN.wire());
        }
        query.kind().ifPresent(kind -> {
            where.add("kind = ?");
            args.add(kind);
        });
        query.after().ifPresent(after -> {
            where.add("(created_at < ? OR (created_at = ? AND id < ?))");
            args.add(after.at());
            args.add(after.at());
            args.add(after.id());
        });
        args.add(rows);
        return handle.query(
                "SELECT " + COLUMNS + " FROM tasks" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                        + " ORDER BY created_at DESC, id DESC LIMIT ?",
                JdbcTasks::task,
                args.toArray());
    }

    @Override
    public List<TaskRecord> ofRun(String runId) {
        return handle.query(
                "SELECT " + COLUMNS + " FROM tasks WHERE run_id = ? ORDER BY created_at, id", JdbcTasks::task, runId);
    }

    @Override
    public void escalated(String taskId, JsonNode item) {
        String appended =
                switch (handle.dialect()) {
                    case SQLITE -> "json_insert(escalations, '$[#]', json(?))";
                    case POSTGRESQL -> "(escalations::jsonb || jsonb_build_array(CAST(? AS jsonb)))::text";
                };
        handle.updateLater("UPDATE tasks SET escalations = " + appended + " WHERE id = ?", Json.text(item), taskId);
    }

    @Override
    public Optional<TaskRecord> openAt(WorkKey step) {
        return handle.queryOne(
                "SELECT " + COLUMNS + " FROM tasks WHERE run_id = ? AND step_id = ? AND iteration = ? AND status = ?",
                JdbcTasks::task,
                step.runId(),
                step.step(),
                step.iteration(),
                TaskStatus.OPEN.wire());
    }

    @Override
    public java.util.Map<TaskKind, dev.aios.kernel.Overview.TaskCount> openByKind() {
        var byKind = new java.util.EnumMap<TaskKind, dev.aios.kernel.Overview.TaskCount>(TaskKind.class);
        handle.query(
                "SELECT kind, COUNT(*) AS n, MIN(created_at) AS oldest FROM tasks WHERE status = ? GROUP BY kind",
                r -> byKind.put(
                        TaskKind.fromWire(r.text("kind")),
                        new dev.aios.kernel.Overview.TaskCount(r.integer("n"), r.instant("oldest"))),
                TaskStatus.OPEN.wire());
        return byKind;
    }

    @Override
    public long countOpen() {
        return handle.count("SELECT COUNT(*) FROM tasks WHERE status = ?", TaskStatus.OPEN.wire());
    }

    @Override
    public void scrubRun(String runId, JsonNode forgotten) {
        String text = Json.text(forgotten);
        handle.updateLater(
                "UPDATE tasks SET details = ?, proposed = ?, resolution = CASE WHEN resolution IS NULL THEN NULL ELSE ? END,"
                        + " title = 'forgotten', explanation = 'forgotten' WHERE run_id = ?",
                text,
                text,
                text,
                runId);
    }

    private static TaskRecord task(Row row) {
        return new TaskRecord(
                row.text("id"),
                new WorkKey(row.text("run_id"), row.text("step_id"), (int) row.integer("iteration")),
                TaskKind.fromWire(row.text("kind")),
                TaskStatus.fromWire(row.text("status")),
                row.text("title"),
                row.text("explanation"),
                Json.tree(row.text("details")),
                Json.tree(row.text("proposed")),
                Json.mapper().convertValue(Json.tree(row.text("options")), OPTIONS),
                row.instant("created_at"),
                row.optionalInstant("resolved_at"),
                row.optionalText("resolution").map(Json::tree),
                Json.mapper().convertValue(Json.tree(row.text("escalations")), ESCALATIONS));
    }
}
