package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.RunView;
import dev.aios.kernel.StepView;
import dev.aios.kernel.TaskView;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.run.StepRecord;
import dev.aios.kernel.internal.store.TaskStore.TaskRecord;
import java.util.List;
import java.util.Optional;

/** Turns folded state and derived rows into the kernel's public views. */
final class Views {
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
                                e.getValue().status.wire()))
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
                record.status,
                record.status == dev.aios.kernel.StepStatus.DEFERRED
                        ? Optional.ofNullable(record.deferredBy)
                        : Optional.empty(),
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

    static TaskView task(TaskRecord task) {
        return new TaskView(
                task.id(),
                task.step().runId(),
                task.step().step(),
                task.kind(),
                task.status(),
                task.title(),
                task.explanation(),
                task.details(),
                task.proposed(),
                task.options(),
                task.createdAt(),
                task.resolvedAt(),
                task.resolution(),
                task.escalations());
    }
}
