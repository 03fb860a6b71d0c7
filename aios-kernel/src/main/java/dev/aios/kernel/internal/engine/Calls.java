package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.StepOptions.FailureAction;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.StepStatus;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.ChildEnded;
import dev.aios.kernel.internal.journal.JournalEntry.ChildStarted;
import dev.aios.kernel.internal.journal.JournalEntry.ChildUndoing;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.RunCalled;
import dev.aios.kernel.internal.journal.JournalEntry.RunStarted;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepFailed;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.WorkKind;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What call steps produce, decided without touching the store: a child run started (its first
 * entries and the parent's), a child that ended told to its parent (the step completes, or fails
 * for good), and a call step undone (its child undone, or nothing to undo). {@link Lineage} reads
 * what these need and appends what they return.
 */
final class Calls {
    /** How deep calls may nest: a child of a child of … at most this many levels. */
    static final int MAX_DEPTH = 10;

    private Calls() {}

    /** What starting a child run produces. */
    sealed interface Start {}

    /** The child {@code childId} starts with {@code child}; the parent records {@code parent}. */
    record Started(String childId, List<JournalEntry> child, List<JournalEntry> parent) implements Start {}

    /** The child cannot start, for {@code why}; nothing is recorded, the call step fails. */
    record Refused(String why) implements Start {}

    /**
     * The call step at {@code path} starts a child run of {@code child} (empty: no such active
     * playbook); a call that does not wait completes at once.
     *
     * @param eventHead the newest event in the log, which the child's trigger is numbered after
     * @param facts what going on after a call that does not wait may need from the store
     */
    static Start start(
            RunState parent,
            CompiledPlaybook playbook,
            String path,
            Outcome.Call call,
            Optional<CompiledPlaybook> child,
            Supplier<String> childId,
            long eventHead,
            Instant now,
            GraphOutcomes.Facts facts) {
        int depth = parent.parent == null ? 1 : parent.parent.depth + 1;
        if (depth > MAX_DEPTH) {
            return new Refused("calls are nested more than " + MAX_DEPTH + " deep; a playbook is probably calling"
                    + " itself through another");
        }
        if (child.isEmpty()) {
            return new Refused("there is no active playbook '" + call.playbook() + "' to call; load it and retry");
        }
        var called = child.get();
        int iteration = parent.record(path).iteration;
        var trigger = Json.object();
        trigger.put("seq", eventHead);
        trigger.put("id", "call:" + parent.id + ":" + path + ":" + iteration);
        trigger.put("type", called.model().trigger().event());
        trigger.put("subject", parent.subject);
        trigger.put("source", "run:" + parent.id);
        trigger.put("time", now.toString());
        trigger.set("data", call.input());
        trigger.put(
                "correlationId",
                parent.trigger
                        .path("correlationId")
                        .asText(parent.trigger.path("id").asText()));
        trigger.put("causationId", parent.id);
        String id = childId.get();
        String first = called.firstStep();
        var childEntries = List.<JournalEntry>of(
                new RunStarted(called.name(), called.version(), parent.subject, trigger),
                new RunCalled(parent.id, path, iteration, depth),
                new StepScheduled(first, 0, called.step(first).kind(), now));
        var draft = new Draft(parent, now, facts);
        draft.append(new ChildStarted(path, iteration, id, called.name(), called.version(), call.waits()));
        if (!call.waits()) {
            var output = Json.object();
            output.put("run", id);
            output.put("playbook", called.name());
            output.put("version", called.version());
            var next = playbook.step(path).next();
            draft.append(new StepCompleted(path, iteration, call.input(), output, Optional.empty(), next));
            Advance.after(draft, playbook, path, next, now, draft);
        }
        return new Started(id, childEntries, draft.entries());
    }

    /**
     * Child run {@code child} ended: the parent records it and, when its call step waits for it,
     * the step completes with the child's outputs, or fails for good when the child did not complete.
     *
     * @param playbook the parent's playbook version, read only when the parent goes on
     * @param taskId the id of a task, should the step be parked
     */
    static List<JournalEntry> ended(
            RunState parent,
            Supplier<CompiledPlaybook> playbook,
            RunState child,
            Instant now,
            GraphOutcomes.Facts facts,
            Supplier<String> taskId) {
        var draft = new Draft(parent, now, facts);
        String path = child.parent.step;
        int iteration = child.parent.iteration;
        draft.append(
                new ChildEnded(path, iteration, child.id, child.status.wire(), child.error == null ? "" : child.error));
        // decided from the parent as the entry leaves it, as the entries that follow are
        var state = draft.state();
        var link = state.children.get(child.id);
        if (state.status.isFinal() || link == null) {
            return draft.entries();
        }
        if (link.undoing) {
            draft.append(new CompensationCompleted(path, iteration, Json.object(), ended(child), ""));
            GraphOutcomes.undoNext(draft, playbook.get(), path, iteration, now);
            return draft.entries();
        }
        var record = state.records.get(path);
        if (!link.waits
                || state.compensation != null
                || record == null
                || record.iteration != iteration
                || record.status != StepStatus.WAITING) {
            return draft.entries();
        }
        var steps = playbook.get();
        if (child.status == RunStatus.COMPLETED) {
            var next = steps.step(path).next();
            draft.append(
                    new StepCompleted(path, iteration, record.input, child.steps.deepCopy(), Optional.empty(), next));
            Advance.after(draft, steps, path, next, now, draft);
        } else {
            String error = "child run " + child.id + " of playbook " + child.playbook + " ended " + child.status.wire()
                    + (child.error == null ? "" : ": " + child.error);
            draft.appendAll(
                    failedForGood(draft.state(), steps, path, iteration, 1, record.input, error, now, facts, taskId));
        }
        return draft.entries();
    }

    /**
     * A step that failed for good outside any attempt (its child run failed): parked for the
     * operator, or, when its options say so and anything can be undone, the run undone.
     */
    static List<JournalEntry> failedForGood(
            RunState state,
            CompiledPlaybook playbook,
            String step,
            int iteration,
            int attempt,
            JsonNode input,
            String error,
            Instant now,
            GraphOutcomes.Facts facts,
            Supplier<String> taskId) {
        var failed = new StepFailed(step, iteration, attempt, input, error, Optional.empty());
        String why = "failed: " + error;
        if (StepOutcomes.options(playbook, step).onFailure().orElse(FailureAction.PARK) == FailureAction.COMPENSATE) {
            var undo = Saga.start(
                    playbook, "step '" + step + "' " + why, facts.completed().get());
            if (!undo.isEmpty()) {
                return concat(failed, undo);
            }
        }
        var lease = new Lease(state.id, step, iteration, WorkKind.STEP, attempt, "", now);
        return List.of(
                failed, StepOutcomes.deadLetter(lease, new Outcome.Failed(input, error, false), why, taskId.get()));
    }

    /** What undoing a call step produces: entries of its child (an undo started), and of the parent. */
    record Undo(List<JournalEntry> child, List<JournalEntry> parent) {}

    /**
     * The call step at {@code path} is undone: a completed child is undone (and the parent's undo
     * waits for it), one being undone already is waited for, and any other has nothing to undo.
     *
     * @param childUndo the entries that start undoing the child (see {@link Saga#start}), read only
     *     when the child completed: empty when nothing in it can be undone
     */
    static Undo undo(
            RunState parent,
            CompiledPlaybook playbook,
            String path,
            int iteration,
            RunState child,
            Supplier<List<JournalEntry>> childUndo,
            Instant now,
            GraphOutcomes.Facts facts) {
        var childEntries = child.status == RunStatus.COMPLETED ? childUndo.get() : List.<JournalEntry>of();
        boolean wait = child.status == RunStatus.COMPENSATING || !childEntries.isEmpty();
        var draft = new Draft(parent, now, facts);
        if (wait) {
            draft.append(new ChildUndoing(path, iteration, child.id));
        } else {
            draft.append(new CompensationCompleted(path, iteration, Json.object(), ended(child), ""));
            GraphOutcomes.undoNext(draft, playbook, path, iteration, now);
        }
        return new Undo(childEntries, draft.entries());
    }

    /** The output of undoing a call step whose child needs no undo, or was undone. */
    static JsonNode ended(RunState child) {
        var output = Json.object();
        output.put("run", child.id);
        output.put("status", child.status.wire());
        return output;
    }

    private static List<JournalEntry> concat(JournalEntry first, List<JournalEntry> rest) {
        var all = new java.util.ArrayList<JournalEntry>();
        all.add(first);
        all.addAll(rest);
        return all;
    }
}
