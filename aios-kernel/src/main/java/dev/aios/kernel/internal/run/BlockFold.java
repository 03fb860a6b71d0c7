package dev.aios.kernel.internal.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.AttemptOutcome;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.StepStatus;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry.BranchEnded;
import dev.aios.kernel.internal.journal.JournalEntry.BranchesStarted;
import dev.aios.kernel.internal.journal.JournalEntry.ItemsListed;
import dev.aios.kernel.internal.journal.JournalEntry.IterationEnded;
import dev.aios.kernel.internal.journal.JournalEntry.IterationStarted;
import dev.aios.kernel.internal.journal.JournalEntry.TurnsStarted;
import dev.aios.kernel.internal.playbook.StepPaths;
import java.time.Instant;

/**
 * The part of the fold for steps that hold others: parallel branches, forEach iterations and
 * conversation turns. A
 * finished iteration leaves the state (its steps' records with it), so a list of any length keeps
 * the state as small as the iterations in flight.
 */
final class BlockFold {
    private BlockFold() {}

    /** Where the output of the step at {@code path} goes: the run's context or its scope's. */
    static ObjectNode outputs(RunState state, String path) {
        var scope = StepPaths.scopeOf(path);
        if (scope.isEmpty()) {
            return state.steps;
        }
        var found = state.scopes.get(scope);
        if (found == null) {
            throw new IllegalStateException(
                    "run " + state.id + " has no scope '" + scope + "' for step '" + path + "'");
        }
        return found.steps;
    }

    static RunState.Block block(RunState state, String path) {
        var block = state.blocks.get(path);
        if (block == null) {
            throw new IllegalStateException("run " + state.id + " has no step '" + path + "' in progress");
        }
        return block;
    }

    /** The block undoing {@code step} (a step of one of its cancelled branches). */
    static RunState.Block undoing(RunState state, String step, int iteration) {
        for (var block : state.blocks.values()) {
            for (var target : block.undo) {
                if (target.step().equals(step) && target.iteration() == iteration) {
                    return block;
                }
            }
        }
        throw new IllegalStateException("run " + state.id + " is not undoing step '" + step + "' #" + iteration);
    }

    static void branchesStarted(RunState state, BranchesStarted e, Instant at) {
        var block = new RunState.Block();
        block.kind = StepKind.PARALLEL;
        block.iteration = e.iteration();
        for (var branch : e.branches()) {
            block.branches.put(branch, "running");
            state.scopes.put(StepPaths.branch(e.step(), branch), new RunState.Scope());
        }
        state.blocks.put(e.step(), block);
        var record = RunFold.current(state, e.step(), e.iteration());
        record.status = StepStatus.IN_PROGRESS;
        RunFold.endAttempt(record, at, AttemptOutcome.COMPLETED, null);
        progress(state, e.step());
    }

    static void branchEnded(RunState state, BranchEnded e) {
        var block = block(state, e.step());
        var scope = StepPaths.branch(e.step(), e.branch());
        block.branches.put(e.branch(), e.completed() ? "completed" : "cancelled");
        if (e.completed()) {
            block.outputs.set(e.branch(), e.outputs());
        } else {
            for (var record : state.records.values()) {
                if (StepPaths.within(record.id, scope)) {
                    switch (record.status) {
                        case SCHEDULED, RUNNING, RETRYING, WAITING, FAILED, DEFERRED, IN_PROGRESS, JOINING ->
                            record.status = StepStatus.CANCELLED;
                        case COMPLETED, TIMED_OUT, COMPENSATED, CANCELLED -> {}
                    }
                }
            }
            state.scopes.keySet().removeIf(path -> StepPaths.within(path, scope));
            state.blocks.keySet().removeIf(path -> StepPaths.within(path, scope));
        }
        state.scopes.remove(scope);
        progress(state, e.step());
    }

    static void itemsListed(RunState state, ItemsListed e, Instant at) {
        var block = new RunState.Block();
        block.kind = StepKind.FOR_EACH;
        block.iteration = e.iteration();
        block.total = e.items().size();
        state.blocks.put(e.step(), block);
        var record = RunFold.current(state, e.step(), e.iteration());
        record.status = StepStatus.IN_PROGRESS;
        var input = Json.object();
        input.put("items", e.items().size());
        record.input = input;
        RunFold.endAttempt(record, at, AttemptOutcome.COMPLETED, null);
        progress(state, e.step());
    }

    static void turnsStarted(RunState state, TurnsStarted e, Instant at) {
        var block = new RunState.Block();
        block.kind = StepKind.CONVERSATION;
        block.iteration = e.iteration();
        state.blocks.put(e.step(), block);
        var record = RunFold.current(state, e.step(), e.iteration());
        record.status = StepStatus.IN_PROGRESS;
        RunFold.endAttempt(record, at, AttemptOutcome.COMPLETED, null);
        progress(state, e.step());
    }

    static void iterationStarted(RunState state, IterationStarted e) {
        var block = block(state, e.step());
        block.next = e.index() + 1;
        block.running++;
        var scope = new RunState.Scope();
        scope.item = e.item();
        scope.index = e.index();
        state.scopes.put(StepPaths.iteration(e.step(), e.index()), scope);
        var record = state.records.get(e.step());
        if (record != null && record.status == StepStatus.JOINING) {
            record.status = StepStatus.IN_PROGRESS; // a conversation's next turn
        }
        progress(state, e.step());
    }

    static void iterationEnded(RunState state, IterationEnded e) {
        var block = block(state, e.step());
        block.running--;
        block.finished++;
        if (block.kind == StepKind.CONVERSATION) {
            block.transcript.add(e.outputs());
        }
        // The iteration's record leaves the state with it; the journal keeps it.
        var scope = StepPaths.iteration(e.step(), e.index());
        state.records.keySet().removeIf(path -> StepPaths.within(path, scope));
        state.entered.keySet().removeIf(path -> StepPaths.within(path, scope));
        state.awaited.keySet().removeIf(path -> StepPaths.within(path, scope));
        state.scopes.keySet().removeIf(path -> StepPaths.within(path, scope));
        state.blocks.keySet().removeIf(path -> StepPaths.within(path, scope));
        progress(state, e.step());
    }

    /** What a step holding others shows while in progress: how far its branches or items got. */
    private static void progress(RunState state, String path) {
        var block = state.blocks.get(path);
        var record = state.records.get(path);
        if (block == null || record == null) {
            return;
        }
        var output = Json.object();
        if (block.kind == StepKind.PARALLEL) {
            var branches = output.putObject("branches");
            block.branches.forEach(branches::put);
        } else if (block.kind == StepKind.CONVERSATION) {
            output.put("turns", block.transcript.size());
            output.set("transcript", block.transcript.deepCopy());
        } else {
            output.put("total", block.total);
            output.put("finished", block.finished);
            output.put("running", block.running);
        }
        record.output = output;
    }

    /**
     * The status of a run with several steps in flight: needs attention while any is parked, else
     * running while any can go on now, else waiting.
     */
    static RunStatus status(RunState state) {
        boolean running = false;
        boolean waiting = false;
        for (var record : state.records.values()) {
            switch (record.status) {
                case FAILED -> {
                    return RunStatus.NEEDS_ATTENTION;
                }
                case SCHEDULED, RUNNING, RETRYING, DEFERRED, JOINING -> running = true;
                case WAITING -> waiting = true;
                case IN_PROGRESS, COMPLETED, TIMED_OUT, COMPENSATED, CANCELLED -> {}
            }
        }
        return running || !waiting ? RunStatus.RUNNING : RunStatus.WAITING;
    }
}
