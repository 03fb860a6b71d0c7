package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.Actor;
import dev.aios.kernel.ConflictException;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.access.AuditTrail;
import dev.aios.kernel.internal.agent.ContractViolation;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.RunCancelled;
import dev.aios.kernel.internal.journal.JournalEntry.RunFailed;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepRetried;
import dev.aios.kernel.internal.journal.JournalEntry.TaskResolved;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Database;
import dev.aios.kernel.internal.store.Tx;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * The operator's answers to tasks, and cancelling runs; each is one transaction, and an answer to
 * a task that is no longer open changes nothing.
 *
 * <ul>
 *   <li>review (an agent's output held by its approval rule): approve, with or without an edited
 *       output; reject undoes the run (or fails it when nothing can be undone)
 *   <li>approval (an approval step): approve; reject takes the step's rejection path, else undoes
 *       or fails the run
 *   <li>dead-letter (a step that failed for good): retry, skip with an output, compensate, or
 *       cancel (reject) without undoing
 *   <li>compensation (an undo that failed): retry, or skip it and go on undoing
 * </ul>
 */
final class TaskDesk {

    private record OpenTask(
            String id,
            String runId,
            String step,
            int iteration,
            String kind,
            String status,
            JsonNode proposed,
            List<String> options,
            Optional<Instant> resolvedAt) {}

    private final Database db;
    private final RunJournal journal;
    private final Playbooks playbooks;
    private final AgentLookup agents;
    private final InstantSource clock;
    private final Runnable wake;
    private final AuditTrail audit;

    TaskDesk(
            Database db,
            RunJournal journal,
            Playbooks playbooks,
            AgentLookup agents,
            InstantSource clock,
            Runnable wake,
            AuditTrail audit) {
        this.audit = audit;
        this.db = db;
        this.journal = journal;
        this.playbooks = playbooks;
        this.agents = agents;
        this.clock = clock;
        this.wake = wake;
    }

    /**
     * Answers a task.
     *
     * @param output the edited output (approve), the output to go on with (skip), or empty
     * @param comment the operator's words, kept with the answer
     */
    void answer(String taskId, TaskAnswer answer, Optional<JsonNode> output, String comment) {
        String actor = Actor.current();
        db.write(tx -> {
            var task = open(tx, taskId);
            var state = journal.load(tx, task.runId()).orElseThrow();
            var playbook = playbooks.version(state.playbook, state.version);
            var turn = new Turn(tx, task, state, playbook, clock.instant(), comment);
            switch (task.kind()) {
                case "review", "draft" -> review(turn, answer, output);
                case "approval" -> approval(turn, answer, output);
                case "dead-letter" -> deadLetter(turn, answer, output);
                case "compensation" -> compensation(turn, answer);
                default -> throw new IllegalStateException("unknown task kind " + task.kind());
            }
            var details = Json.object()
                    .put("run", task.runId())
                    .put("step", task.step())
                    .put("kind", task.kind());
            if (!comment.isBlank()) {
                details.put("comment", comment);
            }
            output.ifPresent(edited -> details.put("withOutput", true));
            audit.append(tx, actor, "task." + answer.name().toLowerCase(java.util.Locale.ROOT), taskId, details);
            tx.afterCommit(wake);
            return null;
        });
    }

    /**
     * What would be wrong with answering an open task with {@code output}: empty when the output fits
     * the contract of the agent whose output the task holds (or the step has no agent).
     */
    Optional<String> check(String taskId, JsonNode output) {
        return db.read(tx -> {
            var task = open(tx, taskId);
            var state = journal.load(tx, task.runId()).orElseThrow();
            var playbook = playbooks.version(state.playbook, state.version);
            try {
                checkedOutput(playbook, playbook.step(task.step()), output);
                return Optional.<String>empty();
            } catch (InvalidInputException e) {
                return Optional.of(e.getMessage().replace("; nothing changed", ""));
            }
        });
    }

    /** Cancels a run that has not ended: its completed steps are undone when they can be. */
    RunSummary cancel(String runId, String reason) {
        String actor = Actor.current();
        return db.write(tx -> {
            var state = journal.load(tx, runId).orElseThrow(() -> new NotFoundException("no run " + runId));
            if (state.status.isFinal()) {
                throw new ConflictException(
                        "run " + runId + " has already ended (" + state.status.wire() + "); nothing to cancel");
            }
            if (state.status == RunStatus.COMPENSATING) {
                throw new ConflictException("run " + runId + " is already being undone; nothing changed");
            }
            String why = reason.isBlank() ? "cancelled by the operator" : "cancelled by the operator: " + reason;
            var playbook = playbooks.version(state.playbook, state.version);
            Instant now = clock.instant();
            if (!Saga.start(tx, journal, state, playbook, why, now)) {
                journal.append(tx, state, now, List.<JournalEntry>of(new RunCancelled(why)));
            }
            var details = Json.object().put("playbook", state.playbook);
            if (!reason.isBlank()) {
                details.put("reason", reason);
            }
            audit.append(tx, actor, "run.cancel", runId, details);
            tx.afterCommit(wake);
            return Views.summary(state);
        });
    }

    /** One answer being recorded. */
    private record Turn(Tx tx, OpenTask task, RunState state, CompiledPlaybook playbook, Instant now, String comment) {}

    private void review(Turn t, TaskAnswer answer, Optional<JsonNode> output) throws SQLException {
        var step = t.playbook().step(t.task().step());
        switch (answer) {
            case APPROVE -> {
                if (output.isEmpty() && !t.task().options().contains("approve")) {
                    throw new ConflictException("task " + t.task().id() + " needs your own output: "
                            + t.task().options().stream()
                                    .filter(o -> !o.equals("edit"))
                                    .findFirst()
                                    .map(o -> "approve it with an edited output (--edit JSON), or " + o + " it")
                                    .orElse("approve it with an edited output (--edit JSON)")
                            + "; nothing changed");
                }
                JsonNode approved = output.isPresent()
                        ? checkedOutput(t.playbook(), step, output.get())
                        : t.task().proposed();
                complete(
                        t,
                        "approved",
                        approved,
                        Optional.ofNullable(t.state().record(t.task().step()).agent));
            }
            case REJECT ->
                undoOrFail(t, "rejected by the operator at step '" + t.task().step() + "'");
            default -> throw refused(t.task(), answer, "approve or reject");
        }
    }

    private void approval(Turn t, TaskAnswer answer, Optional<JsonNode> output) throws SQLException {
        switch (answer) {
            case APPROVE -> {
                ObjectNode answerJson = Json.object();
                answerJson.put("approved", true);
                answerJson.put("comment", t.comment());
                output.ifPresent(edit -> answerJson.set("edit", edit));
                complete(t, "approved", answerJson, Optional.empty());
            }
            case REJECT -> {
                if (t.playbook().step(t.task().step()) instanceof CompiledStep.Approval approval
                        && approval.onReject().isPresent()) {
                    ObjectNode answerJson = Json.object();
                    answerJson.put("approved", false);
                    answerJson.put("reason", t.comment());
                    String next = approval.onReject().get();
                    append(t, new TaskResolved(t.task().id(), "rejected", Json.object(), t.comment()));
                    append(t, completed(t, answerJson, Optional.empty(), next));
                    advance(t, next);
                } else {
                    undoOrFail(
                            t, "rejected by the operator at step '" + t.task().step() + "'");
                }
            }
            default -> throw refused(t.task(), answer, "approve or reject");
        }
    }

    private void deadLetter(Turn t, TaskAnswer answer, Optional<JsonNode> output) throws SQLException {
        var step = t.playbook().step(t.task().step());
        switch (answer) {
            case RETRY -> {
                append(t, new TaskResolved(t.task().id(), "retried", Json.object(), t.comment()));
                append(t, new StepRetried(t.task().step(), t.task().iteration()));
            }
            case SKIP, APPROVE -> {
                if (output.isEmpty()) {
                    if (answer == TaskAnswer.APPROVE) {
                        deadLetter(t, TaskAnswer.RETRY, output);
                        return;
                    }
                    throw new InvalidInputException(
                            "skipping a failed step needs the output to go on with, e.g. --output '{...}'");
                }
                complete(t, "skipped", checkedOutput(t.playbook(), step, output.get()), Optional.empty());
            }
            case COMPENSATE -> {
                String why = "the operator chose to undo the run after step '"
                        + t.task().step() + "' failed";
                append(t, new TaskResolved(t.task().id(), "compensated", Json.object(), t.comment()));
                if (!Saga.start(t.tx(), journal, t.state(), t.playbook(), why, t.now())) {
                    throw new ConflictException("nothing in run " + t.task().runId()
                            + " can be undone: no completed step declares a compensation; cancel it instead");
                }
            }
            case REJECT -> {
                String why = "cancelled by the operator after step '" + t.task().step() + "' failed"
                        + (t.comment().isBlank() ? "" : ": " + t.comment());
                append(t, new TaskResolved(t.task().id(), "cancelled", Json.object(), t.comment()));
                append(t, new RunCancelled(why));
            }
        }
    }

    private void compensation(Turn t, TaskAnswer answer) throws SQLException {
        switch (answer) {
            case RETRY, APPROVE -> {
                append(t, new TaskResolved(t.task().id(), "retried", Json.object(), t.comment()));
                append(t, new CompensationScheduled(t.task().step(), t.task().iteration()));
            }
            case SKIP -> {
                ObjectNode skipped = Json.object();
                skipped.put("skipped", true);
                skipped.put("comment", t.comment());
                append(t, new TaskResolved(t.task().id(), "skipped", Json.object(), t.comment()));
                append(t, new CompensationCompleted(t.task().step(), t.task().iteration(), Json.object(), skipped, ""));
                Progress.next(
                        new RunWrites(t.tx(), journal, t.state(), t.now()),
                        t.playbook(),
                        t.task().step(),
                        t.task().iteration(),
                        t.now());
            }
            default -> throw refused(t.task(), answer, "retry or skip");
        }
    }

    /** Undoes the run when it can, else fails it with {@code why}. */
    private void undoOrFail(Turn t, String why) throws SQLException {
        String full = why + (t.comment().isBlank() ? "" : ": " + t.comment());
        append(t, new TaskResolved(t.task().id(), "rejected", Json.object(), t.comment()));
        if (!Saga.start(t.tx(), journal, t.state(), t.playbook(), full, t.now())) {
            append(t, new RunFailed(full));
        }
    }

    private void complete(Turn t, String decision, JsonNode output, Optional<String> agent) throws SQLException {
        String next = t.playbook().step(t.task().step()).next();
        append(t, new TaskResolved(t.task().id(), decision, output, t.comment()));
        append(t, completed(t, output, agent, next));
        advance(t, next);
    }

    private void advance(Turn t, String next) {
        var writes = new RunWrites(t.tx(), journal, t.state(), t.now());
        Advance.after(writes, t.playbook(), t.task().step(), next, t.now(), writes);
    }

    private static StepCompleted completed(Turn t, JsonNode output, Optional<String> agent, String next) {
        var input = t.state().record(t.task().step()).input;
        return new StepCompleted(t.task().step(), t.task().iteration(), input, output, agent, next);
    }

    private void append(Turn t, JournalEntry entry) throws SQLException {
        journal.append(t.tx(), t.state(), t.now(), List.of(entry));
    }

    private JsonNode checkedOutput(CompiledPlaybook playbookOf, CompiledStep step, JsonNode edited) {
        if (step instanceof CompiledStep.AgentCall call) {
            var binding =
                    agents.find(new dev.aios.api.PlaybookRef(playbookOf.name(), playbookOf.version()), call.agent());
            if (binding.isPresent()) {
                try {
                    return binding.get().validateOutput(edited);
                } catch (ContractViolation e) {
                    throw new InvalidInputException(
                            "the output does not fit the agent's contract: " + e.getMessage() + "; nothing changed");
                }
            }
        }
        return edited;
    }

    private static ConflictException refused(OpenTask task, TaskAnswer answer, String allowed) {
        return new ConflictException("a " + task.kind() + " task cannot be answered with "
                + answer.name().toLowerCase(java.util.Locale.ROOT) + "; answer " + allowed + "; nothing changed");
    }

    private static List<String> strings(JsonNode array) {
        var items = new java.util.ArrayList<String>();
        array.forEach(item -> items.add(item.asText()));
        return items;
    }

    private OpenTask open(Tx tx, String taskId) throws SQLException {
        var task = tx.queryOne(
                        "SELECT id, run_id, step_id, iteration, kind, status, proposed, options, resolved_at"
                                + " FROM tasks WHERE id = ?",
                        r -> new OpenTask(
                                r.text("id"),
                                r.text("run_id"),
                                r.text("step_id"),
                                (int) r.integer("iteration"),
                                r.text("kind"),
                                r.text("status"),
                                Json.tree(r.text("proposed")),
                                strings(Json.tree(r.text("options"))),
                                r.optionalInstant("resolved_at")),
                        taskId)
                .orElseThrow(() -> new NotFoundException("no task " + taskId + "; list open tasks with `aios tasks`"));
        if (!task.status().equals("open")) {
            throw new ConflictException("task " + taskId + " is already " + task.status()
                    + task.resolvedAt().map(at -> " (at " + at + ")").orElse("") + "; nothing changed");
        }
        return task;
    }
}
