package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.Actor;
import dev.aios.kernel.ConflictException;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.TaskStatus;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.access.AuditTrail;
import dev.aios.kernel.internal.agent.ContractViolation;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.Tx;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * The operator's answers to tasks, and cancelling runs: each is one transaction that appends what
 * {@link Answers} decides. An answer to a task that is no longer open changes nothing.
 */
final class TaskDesk {
    private final Store store;
    private final RunJournal journal;
    private final Playbooks playbooks;
    private final AgentLookup agents;
    private final InstantSource clock;
    private final Runnable wake;
    private final AuditTrail audit;

    TaskDesk(
            Store store,
            RunJournal journal,
            Playbooks playbooks,
            AgentLookup agents,
            InstantSource clock,
            Runnable wake,
            AuditTrail audit) {
        this.audit = audit;
        this.store = store;
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
        store.write(tx -> {
            var task = open(tx, taskId);
            var state = journal.load(tx, task.step().runId()).orElseThrow();
            var playbook = playbooks.version(state.playbook, state.version);
            Instant now = clock.instant();
            var answering = new Answers.Answering(
                    task,
                    state,
                    playbook,
                    now,
                    comment,
                    () -> Saga.completed(tx, journal, state),
                    (step, edited) -> checkedOutput(playbook, step, edited));
            var decision = Answers.decide(answering, answer, output);
            journal.append(tx, state, now, decision.entries());
            new RunWrites(tx, journal, state, now).follow(playbook, decision.then());
            var details = Json.object()
                    .put("run", task.step().runId())
                    .put("step", task.step().step())
                    .put("kind", task.kind().wire());
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
        return store.read(tx -> {
            var task = open(tx, taskId);
            var state = journal.load(tx, task.step().runId()).orElseThrow();
            var playbook = playbooks.version(state.playbook, state.version);
            try {
                checkedOutput(playbook, playbook.step(task.step().step()), output);
                return Optional.<String>empty();
            } catch (InvalidInputException e) {
                return Optional.of(e.getMessage().replace("; nothing changed", ""));
            }
        });
    }

    /** Cancels a run that has not ended: its completed steps are undone when they can be. */
    RunSummary cancel(String runId, String reason) {
        String actor = Actor.current();
        return store.write(tx -> {
            var state = journal.load(tx, runId).orElseThrow(() -> new NotFoundException("no run " + runId));
            // Refused before the playbook is looked up, which a run that ended may no longer have.
            Answers.refuseToCancel(state);
            var playbook = playbooks.version(state.playbook, state.version);
            Instant now = clock.instant();
            journal.append(
                    tx, state, now, Answers.cancel(state, playbook, reason, () -> Saga.completed(tx, journal, state)));
            var details = Json.object().put("playbook", state.playbook);
            if (!reason.isBlank()) {
                details.put("reason", reason);
            }
            audit.append(tx, actor, "run.cancel", runId, details);
            tx.afterCommit(wake);
            return Views.summary(state);
        });
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

    private static Answers.OpenTask open(Tx tx, String taskId) {
        var task = tx.tasks()
                .find(taskId)
                .orElseThrow(() -> new NotFoundException("no task " + taskId + "; list open tasks with `aios tasks`"));
        if (task.status() != TaskStatus.OPEN) {
            throw new ConflictException(
                    "task " + taskId + " is already " + task.status().wire()
                            + task.resolvedAt().map(at -> " (at " + at + ")").orElse("") + "; nothing changed");
        }
        return new Answers.OpenTask(task.id(), task.step(), task.kind(), task.proposed(), task.options());
    }
}
