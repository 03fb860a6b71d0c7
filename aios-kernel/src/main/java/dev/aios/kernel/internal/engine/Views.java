package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.RunView;
import dev.aios.kernel.StepView;
import dev.aios.kernel.TaskView;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.run.StepRecord;
import dev.aios.kernel.internal.store.Row;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Turns folded state and derived rows into the kernel's public views. */
final class Views {
    static final String TASK_COLUMNS = "id, run_id, step_id, kind, status, title, explanation, details, proposed,"
            + " options, created_at, resolved_at, resolution, escalations";

    private Views() {}

    static RunSummary summary(RunState state) {
        return new RunSummary(
                state.id,
                state.playbook,
                state.version,
                state.subject,
                state.status,
                Optional.ofNullable(state.current),
                state.createdAt,
                state.updatedAt);
    }

    static RunSummary summary(Row row) throws SQLException {
        return new RunSummary(
                row.text("id"),
                row.text("playbook"),
                row.text("version"),
                row.text("subject"),
                RunStatus.fromWire(row.text("status")),
                row.optionalText("current_step"),
                row.instant("created_at"),
                row.instant("updated_at"));
    }

    /**
     * A run with its tasks; each step's receipts in the order the step made them, with their results
     * from {@code results} (by idempotency key).
     */
    static RunView run(
            RunState state,
            List<TaskView> tasks,
            java.util.Map<String, JsonNode> results,
            dev.aios.kernel.RunLink parent) {
        var steps = state.records.values().stream()
                .map(record -> step(
                        record,
                        record.receipts.stream()
                                .map(r -> new StepView.ReceiptView(
                                        r.name,
                                        r.key,
                                        r.at,
                                        results.getOrDefault(
                                                r.key, com.fasterxml.jackson.databind.node.NullNode.instance)))
                                .toList()))
                .toList();
        return new RunView(
                state.id,
                state.playbook,
                state.version,
                state.subject,
                state.status,
                state.createdAt,
                state.updatedAt,
                state.trigger,
                state.steps,
                steps,
                tasks,
                Optional.ofNullable(state.error),
                state.seq,
                Optional.ofNullable(parent),
                state.children.entrySet().stream()
                        .map(e -> new dev.aios.kernel.RunLink(
                                e.getKey(),
                                e.getValue().step,
                                e.getValue().iteration,
                                e.getValue().playbook,
                                e.getValue().version,
                                e.getValue().waits,
                                e.getValue().status))
                        .toList());
    }

    static StepView step(StepRecord record, List<StepView.ReceiptView> receipts) {
        var attempts = record.attempts.stream()
                .map(a -> new StepView.AttemptView(
                        a.attempt,
                        a.startedAt,
                        Optional.ofNullable(a.endedAt),
                        a.outcome,
                        Optional.ofNullable(a.error)))
                .toList();
        return new StepView(
                record.id,
                record.kind,
                record.iteration,
                record.status.equals("deferred") && record.deferredBy != null
                        ? "deferred (" + record.deferredBy + ")"
                        : record.status,
                Optional.ofNullable(record.agent),
                record.input,
                record.output,
                Optional.ofNullable(record.error),
                attempts,
                record.scheduledAt,
                Optional.ofNullable(record.endedAt),
                record.version,
                receipts,
                List.copyOf(record.provenance));
    }

    private static List<JsonNode> list(JsonNode array) {
        var items = new java.util.ArrayList<JsonNode>();
        array.forEach(items::add);
        return items;
    }

    static TaskView task(Row row) throws SQLException {
        JsonNode options = Json.tree(row.text("options"));
        return new TaskView(
                row.text("id"),
                row.text("run_id"),
                row.text("step_id"),
                row.text("kind"),
                row.text("status"),
                row.text("title"),
                row.text("explanation"),
                Json.tree(row.text("details")),
                Json.tree(row.text("proposed")),
                Json.mapper()
                        .convertValue(
                                options,
                                Json.mapper().getTypeFactory().constructCollectionType(List.class, String.class)),
                row.instant("created_at"),
                row.optionalInstant("resolved_at"),
                row.optionalText("resolution").map(Json::tree),
                list(Json.tree(row.text("escalations"))));
    }
}
