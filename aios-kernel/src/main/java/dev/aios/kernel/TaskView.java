package dev.aios.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An item in the operator's inbox.
 *
 * @param id the task's id
 * @param runId the run waiting on it
 * @param stepId the step it belongs to
 * @param kind {@link TaskKind}: review, draft, approval, dead-letter or compensation
 * @param status {@link TaskStatus}: open, approved, rejected, retried, skipped, compensated or cancelled
 * @param title what the operator is asked
 * @param explanation why the task exists
 * @param details what the operator needs to decide: inputs, output, agent and playbook versions
 * @param proposed the output that approval commits (for reviews: the agent's output)
 * @param options what the operator can answer, each a {@link TaskOption}: approve, edit, reject, retry, skip,
 *     compensate or cancel
 * @param createdAt when it was opened
 * @param resolvedAt when it was answered
 * @param resolution the answer's details: who, comment, edited output
 * @param escalations what escalating the task did, oldest first: each {@code {"at", "rail", "note",
 *     "detail", "next"}}, where rail is {@code plan} (when it will escalate), {@code remind}, {@code
 *     delegate}, {@code default} (an answer taken on the operator's behalf) or {@code none}
 */
public record TaskView(
        String id,
        String runId,
        String stepId,
        TaskKind kind,
        TaskStatus status,
        String title,
        String explanation,
        JsonNode details,
        JsonNode proposed,
        List<TaskOption> options,
        Instant createdAt,
        Optional<Instant> resolvedAt,
        Optional<JsonNode> resolution,
        List<JsonNode> escalations) {
    public TaskView {
        escalations = List.copyOf(escalations);
    }
}
