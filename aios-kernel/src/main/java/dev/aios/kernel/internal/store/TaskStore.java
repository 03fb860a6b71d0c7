package dev.aios.kernel.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskOption;
import dev.aios.kernel.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The operator's inbox: tasks opened and resolved by journal entries. */
public interface TaskStore {

    /**
     * A task as stored.
     *
     * @param step the step it belongs to, at {@code step.iteration()}
     * @param escalations what escalating it did, oldest first
     */
    record TaskRecord(
            String id,
            WorkKey step,
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
        public TaskRecord {
            escalations = List.copyOf(escalations);
        }
    }

    /** Adds a task; its status is {@link TaskStatus#OPEN}. */
    void open(TaskRecord task);

    /** Closes a task with {@code status}. */
    void resolve(String taskId, TaskStatus status, Instant at, JsonNode resolution);

    /** Closes the run's open tasks as {@link TaskStatus#CANCELLED}. */
    void cancelOpen(String runId, Instant at, JsonNode resolution);

    /**
     * Closes the run's open tasks of steps inside {@code scope} (a step path: {@code scope/...}) as
     * {@link TaskStatus#CANCELLED}.
     */
    void cancelOpenWithin(String runId, String scope, Instant at, JsonNode resolution);

    /** Adds {@code item} to the task's escalation history. */
    void escalated(String taskId, JsonNode item);

    /** One task. */
    Optional<TaskRecord> find(String taskId);

    /** The open task of the step, if it has one. */
    Optional<TaskRecord> openAt(WorkKey step);

    /**
     * Up to {@code rows} tasks matching {@code query} (its limit aside), newest first: by creation
     * time, then by id, after {@code query.after()} when it is given.
     */
    List<TaskRecord> find(dev.aios.kernel.TaskQuery query, int rows);

    /** The run's tasks, oldest first. */
    List<TaskRecord> ofRun(String runId);

    /** The open tasks by kind: how many, and since when the oldest waits. */
    java.util.Map<TaskKind, dev.aios.kernel.Overview.TaskCount> openByKind();

    /** How many tasks are open. */
    long countOpen();

    /** Replaces what the run's tasks say with {@code forgotten}, keeping their shape. */
    void scrubRun(String runId, JsonNode forgotten);
}
