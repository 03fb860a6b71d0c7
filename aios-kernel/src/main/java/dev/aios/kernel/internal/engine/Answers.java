package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.ConflictException;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskOption;
import dev.aios.kernel.TaskStatus;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.RunCancelled;
import dev.aios.kernel.internal.journal.JournalEntry.RunFailed;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepRetried;
import dev.aios.kernel.internal.journal.JournalEntry.TaskResolved;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.WorkKey;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What the operator's answers produce, decided without touching the store: the journal entries of
 * an answer to a task, or of cancelling a run. An answer a task does not take is refused here, and
 * then nothing is recorded.
 *
 * <ul>
 *   <li>review and draft (an agent's output held by its approval rule, or a draft it could not
 *       finish): approve, with or without an edited output; reject undoes the run (or fails it when
 *       nothing can be undone)
 *   <li>approval (an approval step): approve; reject takes the step's rejection path, else undoes
 *       or fails the run
 *   <li>dead-letter (a step that failed for good): retry, skip with an output, compensate, or
 *       cancel (reject) without undoing
 *   <li>compensation (an undo that failed): retry, or skip it and go on undoing
 * </ul>
 */
final class Answers {
    private Answers() {}

    /** An open task as the answer needs it. */
    record OpenTask(String id, WorkKey step, TaskKind kind, JsonNode proposed, List<TaskOption> options) {}

    /**
     * One answer being decided.
     *
     * @param comment the operator's words, kept with the answer
     * @param completed the run's completed steps, should it be undone
     * @param checkOutput checks an output the operator supplies against the step's agent contract
     */
    record Answering(
            OpenTask task,
            RunState state,
            CompiledPlaybook playbook,
            Instant now,
            String comment,
            Supplier<List<StepCompleted>> completed,
            BiFunction<CompiledStep, JsonNode, JsonNode> checkOutput) {}

    /** The entries that record {@code answer} (with the edited or supplied {@code output}), and what follows. */
    static Decision decide(Answering a, TaskAnswer answer, Optional<JsonNode> output) {
        var entries = new Decision.Builder();
        switch (a.task().kind()) {
            case REVIEW, DRAFT -> review(a, answer, output, entries);
            case APPROVAL -> approval(a, answer, output, entries);
            case DEAD_LETTER -> deadLetter(a, answer, output, entries);
            case COMPENSATION -> compensation(a, answer, entries);
        }
        return entries.build();
    }

    /** The entries that cancel a run that has not ended: its completed steps are undone when they can be. */
    static List<JournalEntry> cancel(
            RunState state, CompiledPlaybook playbook, String reason, Supplier<List<StepCompleted>> completed) {
        refuseToCancel(state);
        String why = reason.isBlank() ? "cancelled by the operator" : "cancelled by the operator: " + reason;
        var undo = Saga.start(playbook, why, completed.get());
        return undo.isEmpty() ? List.of(new RunCancelled(why)) : undo;
    }

    /** Refuses to cancel a run that ended or is being undone already. */
    static void refuseToCancel(RunState state) {
        if (state.status.isFinal()) {
            throw new ConflictException(
                    "run " + state.id + " has already ended (" + state.status.wire() + "); nothing to cancel");
        }
        if (state.status == RunStatus.COMPENSATING) {
            throw new ConflictException("run " + state.id + " is already being undone; nothing changed");
        }
    }

    private static void review(Answering a, TaskAnswer answer, Optional<JsonNode> output, Decision.Builder out) {
        var step = a.playbook().step(a.task().step().step());
        switch (answer) {
            case APPROVE -> {
                if (output.isEmpty() && !a.task().options().contains(TaskOption.APPROVE)) {
                    // A blocked output, or a step the operator does by hand, needs the operator's own output.
                    throw new ConflictException("task " + a.task().id() + " needs your own output: "
                            + a.task().options().stream()
                                    .filter(o -> o != TaskOption.EDIT)
                                    .findFirst()
                                    .map(o -> "approve it with an edited output (--edit JSON), or " + o.wire() + " it")
                                    .orElse("approve it with an edited output (--edit JSON)")
                            + "; nothing changed");
                }
                JsonNode approved = output.isPresent()
                        ? a.checkOutput().apply(step, output.get())
                        : a.task().proposed();
                complete(
                        a,
                        TaskStatus.APPROVED,
                        approved,
                        Optional.ofNullable(a.state().record(step.id()).agent),
                        out);
            }
            case REJECT -> undoOrFail(a, "rejected by the operator at step '" + step.id() + "'", out);
            default -> throw refused(a.task(), answer, "approve or reject");
        }
    }

    private static void approval(Answering a, TaskAnswer answer, Optional<JsonNode> output, Decision.Builder out) {
        String step = a.task().step().step();
        switch (answer) {
            case APPROVE -> {
                ObjectNode answerJson = Json.object();
                answerJson.put("approved", true);
                answerJson.put("comment", a.comment());
                output.ifPresent(edit -> answerJson.set("edit", edit));
                complete(a, TaskStatus.APPROVED, answerJson, Optional.empty(), out);
            }
            case REJECT -> {
                if (a.playbook().step(step) instanceof CompiledStep.Approval approval
                        && approval.onReject().isPresent()) {
                    ObjectNode answerJson = Json.object();
                    answerJson.put("approved", false);
                    answerJson.put("reason", a.comment());
                    String next = approval.onReject().get();
                    out.add(resolved(a, TaskStatus.REJECTED, Json.object()));
                    out.add(completed(a, answerJson, Optional.empty(), next));
                    out.then(new Decision.GoOn(step, next));
                } else {
                    undoOrFail(a, "rejected by the operator at step '" + step + "'", out);
                }
            }
            default -> throw refused(a.task(), answer, "approve or reject");
        }
    }

    private static void deadLetter(Answering a, TaskAnswer answer, Optional<JsonNode> output, Decision.Builder out) {
        var key = a.task().step();
        switch (answer) {
            case RETRY -> {
                out.add(resolved(a, TaskStatus.RETRIED, Json.object()));
                out.add(new StepRetried(key.step(), key.iteration()));
            }
            case SKIP, APPROVE -> {
                if (output.isEmpty()) {
                    if (answer == TaskAnswer.APPROVE) {
                        deadLetter(a, TaskAnswer.RETRY, output, out);
                        return;
                    }
                    throw new InvalidInputException(
                            "skipping a failed step needs the output to go on with, e.g. --output '{...}'");
                }
                var step = a.playbook().step(key.step());
                complete(a, TaskStatus.SKIPPED, a.checkOutput().apply(step, output.get()), Optional.empty(), out);
            }
            case COMPENSATE -> {
                String why = "the operator chose to undo the run after step '" + key.step() + "' failed";
                var undo = Saga.start(a.playbook(), why, a.completed().get());
                if (undo.isEmpty()) {
                    throw new ConflictException("nothing in run " + key.runId()
                            + " can be undone: no completed step declares a compensation; cancel it instead");
                }
                out.add(resolved(a, TaskStatus.COMPENSATED, Json.object()));
                out.addAll(undo);
            }
            case REJECT -> {
                String why = "cancelled by the operator after step '" + key.step() + "' failed"
                        + (a.comment().isBlank() ? "" : ": " + a.comment());
                out.add(resolved(a, TaskStatus.CANCELLED, Json.object()));
                out.add(new RunCancelled(why));
            }
        }
    }

    private static void compensation(Answering a, TaskAnswer answer, Decision.Builder out) {
        var key = a.task().step();
        switch (answer) {
            case RETRY, APPROVE -> {
                out.add(resolved(a, TaskStatus.RETRIED, Json.object()));
                out.add(new CompensationScheduled(key.step(), key.iteration()));
            }
            case SKIP -> {
                ObjectNode skipped = Json.object();
                skipped.put("skipped", true);
                skipped.put("comment", a.comment());
                out.add(resolved(a, TaskStatus.SKIPPED, Json.object()));
                out.add(new CompensationCompleted(key.step(), key.iteration(), Json.object(), skipped, ""));
                out.then(new Decision.UndoNext(key.step(), key.iteration()));
            }
            default -> throw refused(a.task(), answer, "retry or skip");
        }
    }

    /** Undoes the run when it can, else fails it with {@code why}. */
    private static void undoOrFail(Answering a, String why, Decision.Builder out) {
        String full = why + (a.comment().isBlank() ? "" : ": " + a.comment());
        out.add(resolved(a, TaskStatus.REJECTED, Json.object()));
        var undo = Saga.start(a.playbook(), full, a.completed().get());
        if (undo.isEmpty()) {
            out.add(new RunFailed(full));
        } else {
            out.addAll(undo);
        }
    }

    private static void complete(
            Answering a, TaskStatus decision, JsonNode output, Optional<String> agent, Decision.Builder out) {
        String next = a.playbook().step(a.task().step().step()).next();
        out.add(resolved(a, decision, output));
        out.add(completed(a, output, agent, next));
        out.then(new Decision.GoOn(a.task().step().step(), next));
    }

    private static TaskResolved resolved(Answering a, TaskStatus decision, JsonNode output) {
        return new TaskResolved(a.task().id(), decision, output, a.comment());
    }

    private static StepCompleted completed(Answering a, JsonNode output, Optional<String> agent, String next) {
        var key = a.task().step();
        var input = a.state().record(key.step()).input;
        return new StepCompleted(key.step(), key.iteration(), input, output, agent, next);
    }

    private static ConflictException refused(OpenTask task, TaskAnswer answer, String allowed) {
        return new ConflictException("a " + task.kind().wire() + " task cannot be answered with "
                + answer.name().toLowerCase(Locale.ROOT) + "; answer " + allowed + "; nothing changed");
    }
}
