package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.ConflictException;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.agent.AgentRegistry;
import dev.aios.kernel.internal.agent.ContractViolation;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.RunCancelled;
import dev.aios.kernel.internal.journal.JournalEntry.RunFailed;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepRetried;
import dev.aios.kernel.internal.journal.JournalEntry.TaskResolved;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Database;
import dev.aios.kernel.internal.store.Tx;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/** The operator's answers: approve, reject, and cancelling runs. Each is one transaction. */
final class TaskDesk {

    private record OpenTask(
            String id,
            String runId,
            String step,
            int iteration,
            String kind,
            String status,
            JsonNode proposed,
            Optional<Instant> resolvedAt) {}

    private final Database db;
    private final RunJournal journal;
    private final Playbooks playbooks;
    private final AgentRegistry agents;
    private final InstantSource clock;
    private final Runnable wake;

    TaskDesk(
            Database db,
            RunJournal journal,
            Playbooks playbooks,
            AgentRegistry agents,
            InstantSource clock,
            Runnable wake) {
        this.db = db;
        this.journal = journal;
        this.playbooks = playbooks;
        this.agents = agents;
        this.clock = clock;
        this.wake = wake;
    }

    /** Approves: reviews and approvals commit their (edited) output; dead letters are retried or skipped. */
    void approve(String taskId, Optional<JsonNode> edited, String comment) {
        db.write(tx -> {
            var task = open(tx, taskId);
            var state = journal.load(tx, task.runId()).orElseThrow();
            var playbook = playbooks.version(state.playbook, state.version);
            var step = playbook.step(task.step());
            Instant now = clock.instant();
            String next;
            JsonNode output;
            switch (task.kind()) {
                case "review" -> {
                    output = edited.isPresent() ? checkedOutput(step, edited.get()) : task.proposed();
                    next = nextOf(step);
                    complete(
                            tx,
                            state,
                            task,
                            "approved",
                            output,
                            comment,
                            now,
                            Optional.ofNullable(state.record(task.step()).agent),
                            next);
                }
                case "approval" -> {
                    ObjectNode answer = Json.object();
                    answer.put("approved", true);
                    answer.put("comment", comment);
                    if (edited.isPresent()) {
                        answer.set("edit", edited.get());
                    }
                    output = answer;
                    next = nextOf(step);
                    complete(tx, state, task, "approved", output, comment, now, Optional.empty(), next);
                }
                case "dead-letter" -> {
                    if (edited.isPresent()) {
                        output = checkedOutput(step, edited.get());
                        next = nextOf(step);
                        complete(tx, state, task, "skipped", output, comment, now, Optional.empty(), next);
                    } else {
                        journal.append(
                                tx,
                                state,
                                now,
                                List.of(
                                        new TaskResolved(task.id(), "retried", Json.object(), comment),
                                        new StepRetried(task.step(), task.iteration())));
                        tx.afterCommit(wake);
                        return null;
                    }
                }
                default -> throw new IllegalStateException("unknown task kind " + task.kind());
            }
            journal.append(tx, state, now, List.of(Advance.to(state, playbook, next, now)));
            tx.afterCommit(wake);
            return null;
        });
    }

    /** Rejects: an approval with a rejection path takes it; otherwise the run fails as rejected. */
    void reject(String taskId, String reason) {
        db.write(tx -> {
            var task = open(tx, taskId);
            var state = journal.load(tx, task.runId()).orElseThrow();
            var playbook = playbooks.version(state.playbook, state.version);
            Instant now = clock.instant();
            var resolved = new TaskResolved(task.id(), "rejected", Json.object(), reason);
            if (playbook.step(task.step()) instanceof CompiledStep.Approval approval
                    && task.kind().equals("approval")
                    && approval.onReject().isPresent()) {
                ObjectNode output = Json.object();
                output.put("approved", false);
                output.put("reason", reason);
                String next = approval.onReject().get();
                journal.append(
                        tx,
                        state,
                        now,
                        List.of(
                                resolved,
                                new StepCompleted(
                                        task.step(),
                                        task.iteration(),
                                        state.record(task.step()).input,
                                        output,
                                        Optional.empty(),
                                        next)));
                journal.append(tx, state, now, List.of(Advance.to(state, playbook, next, now)));
            } else {
                String why =
                        switch (task.kind()) {
                            case "dead-letter" -> "the operator gave up on step '" + task.step() + "'";
                            default -> "rejected by the operator at step '" + task.step() + "'";
                        };
                journal.append(
                        tx,
                        state,
                        now,
                        List.of(resolved, new RunFailed(why + (reason.isBlank() ? "" : ": " + reason))));
            }
            tx.afterCommit(wake);
            return null;
        });
    }

    /** Cancels a run that has not ended. */
    RunSummary cancel(String runId, String reason) {
        return db.write(tx -> {
            var state = journal.load(tx, runId).orElseThrow(() -> new NotFoundException("no run " + runId));
            if (state.status.isFinal()) {
                throw new ConflictException(
                        "run " + runId + " has already ended (" + state.status.wire() + "); nothing to cancel");
            }
            String why = reason.isBlank() ? "cancelled by the operator" : reason;
            journal.append(tx, state, clock.instant(), List.<JournalEntry>of(new RunCancelled(why)));
            return Views.summary(state);
        });
    }

    private void complete(
            Tx tx,
            RunState state,
            OpenTask task,
            String decision,
            JsonNode output,
            String comment,
            Instant now,
            Optional<String> agent,
            String next)
            throws SQLException {
        journal.append(
                tx,
                state,
                now,
                List.of(
                        new TaskResolved(task.id(), decision, output, comment),
                        new StepCompleted(
                                task.step(), task.iteration(), state.record(task.step()).input, output, agent, "")));
    }

    private static String nextOf(CompiledStep step) {
        return switch (step) {
            case CompiledStep.AgentCall s -> s.next();
            case CompiledStep.Approval s -> s.next();
            case CompiledStep.Wait s -> s.next();
            case CompiledStep.Await s -> s.next();
            case CompiledStep.Branch s -> s.otherwise();
            case CompiledStep.Emit s -> s.next();
        };
    }

    private JsonNode checkedOutput(CompiledStep step, JsonNode edited) {
        if (step instanceof CompiledStep.AgentCall call) {
            var binding = agents.find(call.agent());
            if (binding.isPresent()) {
                try {
                    return binding.get().validateOutput(edited);
                } catch (ContractViolation e) {
                    throw new InvalidInputException("the edited output does not fit the agent's contract: "
                            + e.getMessage() + "; nothing changed");
                }
            }
        }
        return edited;
    }

    private OpenTask open(Tx tx, String taskId) throws SQLException {
        var task = tx.queryOne(
                        "SELECT id, run_id, step_id, iteration, kind, status, proposed, resolved_at FROM tasks WHERE id = ?",
                        r -> new OpenTask(
                                r.text("id"),
                                r.text("run_id"),
                                r.text("step_id"),
                                (int) r.integer("iteration"),
                                r.text("kind"),
                                r.text("status"),
                                Json.tree(r.text("proposed")),
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
