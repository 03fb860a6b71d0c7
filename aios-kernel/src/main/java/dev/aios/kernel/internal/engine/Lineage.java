package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.StepStatus;
import dev.aios.kernel.internal.Ids;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry.ChildEnded;
import dev.aios.kernel.internal.journal.JournalEntry.ChildStarted;
import dev.aios.kernel.internal.journal.JournalEntry.ChildUndoing;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.RunCalled;
import dev.aios.kernel.internal.journal.JournalEntry.RunCancelled;
import dev.aios.kernel.internal.journal.JournalEntry.RunStarted;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunFold;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Tx;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * Runs that call runs: a call step starts a child run (in the same transaction that records the
 * step), a child that ends tells its parent, and a parent that is cancelled or undone cancels its
 * children still going. Everything here happens in the writer's transaction that caused it.
 */
final class Lineage implements RunJournal.StatusListener {
    /** How deep calls may nest: a child of a child of … at most this many levels. */
    static final int MAX_DEPTH = 10;

    private final RunJournal journal;
    private final Playbooks playbooks;
    private final InstantSource clock;

    Lineage(RunJournal journal, Playbooks playbooks, InstantSource clock) {
        this.journal = journal;
        this.playbooks = playbooks;
        this.clock = clock;
    }

    /**
     * Starts the child run of a call step and records it in the parent; a call that does not wait
     * completes at once. Returns why it cannot start, when it cannot.
     */
    Optional<String> start(
            Tx tx, RunWrites parent, CompiledPlaybook playbook, String path, Outcome.Call call, Instant now) {
        var state = parent.state();
        int depth = state.parent == null ? 1 : state.parent.depth + 1;
        if (depth > MAX_DEPTH) {
            return Optional.of("calls are nested more than " + MAX_DEPTH + " deep; a playbook is probably calling"
                    + " itself through another");
        }
        CompiledPlaybook child;
        try {
            child = playbooks.active(call.playbook());
        } catch (NotFoundException e) {
            return Optional.of("there is no active playbook '" + call.playbook() + "' to call; load it and retry");
        }
        int iteration = state.record(path).iteration;
        var trigger = Json.object();
        trigger.put("seq", EventIntake.head(tx));
        trigger.put("id", "call:" + state.id + ":" + path + ":" + iteration);
        trigger.put("type", child.model().trigger().event());
        trigger.put("subject", state.subject);
        trigger.put("source", "run:" + state.id);
        trigger.put("time", now.toString());
        trigger.set("data", call.input());
        trigger.put(
                "correlationId",
                state.trigger
                        .path("correlationId")
                        .asText(state.trigger.path("id").asText()));
        trigger.put("causationId", state.id);
        String childId = Ids.next("r", now);
        var childState = RunFold.empty(childId);
        String first = child.firstStep();
        journal.append(
                tx,
                childState,
                now,
                List.of(
                        new RunStarted(child.name(), child.version(), state.subject, trigger),
                        new RunCalled(state.id, path, iteration, depth),
                        new StepScheduled(first, 0, child.step(first).kind(), now)));
        parent.append(new ChildStarted(path, iteration, childId, child.name(), child.version(), call.waits()));
        if (!call.waits()) {
            var output = Json.object();
            output.put("run", childId);
            output.put("playbook", child.name());
            output.put("version", child.version());
            var next = playbook.step(path).next();
            parent.append(new StepCompleted(path, iteration, call.input(), output, Optional.empty(), next));
            Advance.after(parent, playbook, path, next, now, parent);
        }
        return Optional.empty();
    }

    /**
     * Undoes the child of a call step being undone: a completed child is undone (and the parent's undo
     * waits for it), one being undone already is waited for, and any other has nothing to undo.
     */
    void undo(
            Tx tx,
            RunWrites parent,
            CompiledPlaybook playbook,
            String path,
            int iteration,
            String childId,
            Instant now) {
        var child = journal.load(tx, childId).orElseThrow();
        boolean wait = child.status == RunStatus.COMPENSATING;
        if (child.status == RunStatus.COMPLETED) {
            wait = Saga.start(
                    tx,
                    journal,
                    child,
                    playbooks.version(child.playbook, child.version),
                    "run " + parent.state().id + ", which called it, is being undone",
                    now);
        }
        if (wait) {
            parent.append(new ChildUndoing(path, iteration, childId));
        } else {
            parent.append(new CompensationCompleted(path, iteration, Json.object(), ended(child), ""));
            Progress.next(parent, playbook, path, iteration, now);
        }
    }

    @Override
    public void changed(Tx tx, RunState state, RunStatus before) {
        if (state.status.isFinal() && state.parent != null) {
            tellParent(tx, state);
        }
        // A parent that completed leaves the children it did not wait for running; one that was
        // cancelled, failed or is being undone takes them with it.
        if ((state.status.isFinal() || state.status == RunStatus.COMPENSATING)
                && state.status != RunStatus.COMPLETED
                && !state.children.isEmpty()) {
            cancelChildren(tx, state);
        }
    }

    private void tellParent(Tx tx, RunState child) {
        var found = journal.load(tx, child.parent.run);
        if (found.isEmpty()) {
            return;
        }
        var parent = found.get();
        Instant now = clock.instant();
        var writes = new RunWrites(tx, journal, parent, now);
        String path = child.parent.step;
        int iteration = child.parent.iteration;
        writes.append(
                new ChildEnded(path, iteration, child.id, child.status.wire(), child.error == null ? "" : child.error));
        var link = parent.children.get(child.id);
        if (parent.status.isFinal() || link == null) {
            return;
        }
        var playbook = playbooks.version(parent.playbook, parent.version);
        if (link.undoing) {
            writes.append(new CompensationCompleted(path, iteration, Json.object(), ended(child), ""));
            Progress.next(writes, playbook, path, iteration, now);
            return;
        }
        var record = parent.records.get(path);
        if (!link.waits
                || parent.compensation != null
                || record == null
                || record.iteration != iteration
                || record.status != StepStatus.WAITING) {
            return;
        }
        if (child.status == RunStatus.COMPLETED) {
            var next = playbook.step(path).next();
            writes.append(
                    new StepCompleted(path, iteration, record.input, child.steps.deepCopy(), Optional.empty(), next));
            Advance.after(writes, playbook, path, next, now, writes);
        } else {
            String error = "child run " + child.id + " of playbook " + child.playbook + " ended " + child.status.wire()
                    + (child.error == null ? "" : ": " + child.error);
            Progress.failedForGood(tx, journal, parent, playbook, path, iteration, 1, record.input, error, now);
        }
    }

    private void cancelChildren(Tx tx, RunState parent) {
        String why = "run " + parent.id + ", which called it, "
                + (parent.status == RunStatus.COMPENSATING ? "is being undone" : "ended " + parent.status.wire());
        Instant now = clock.instant();
        for (var id : List.copyOf(parent.children.keySet())) {
            var child = journal.load(tx, id);
            if (child.isEmpty() || child.get().status.isFinal() || child.get().status == RunStatus.COMPENSATING) {
                continue;
            }
            var state = child.get();
            var playbook = playbooks.version(state.playbook, state.version);
            if (!Saga.start(tx, journal, state, playbook, why, now)) {
                journal.append(tx, state, now, List.of(new RunCancelled(why)));
            }
        }
    }

    private static JsonNode ended(RunState child) {
        var output = Json.object();
        output.put("run", child.id);
        output.put("status", child.status.wire());
        return output;
    }

    /** The child of the call step at {@code path}, iteration {@code iteration}. */
    static Optional<String> childOf(RunState state, String path, int iteration) {
        return state.children.entrySet().stream()
                .filter(e -> e.getValue().step.equals(path) && e.getValue().iteration == iteration)
                .map(java.util.Map.Entry::getKey)
                .findFirst();
    }

    /** Whether {@code step} is a call step (compensated by undoing its child). */
    static boolean isCall(CompiledStep step) {
        return step instanceof CompiledStep.Call;
    }
}
