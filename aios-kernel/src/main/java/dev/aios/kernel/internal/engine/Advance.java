package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Step;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.BranchEnded;
import dev.aios.kernel.internal.journal.JournalEntry.BranchesUndoing;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationTarget;
import dev.aios.kernel.internal.journal.JournalEntry.IterationEnded;
import dev.aios.kernel.internal.journal.JournalEntry.IterationStarted;
import dev.aios.kernel.internal.journal.JournalEntry.JoinScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.RunCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.playbook.StepPaths;
import dev.aios.kernel.internal.run.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a run goes after a step: the next step of its list, due now, or the end of that list,
 * which ends the run, a parallel branch (joining the parallel step when enough branches finished,
 * cancelling and undoing the others) or a forEach iteration (starting the next item). Pure: it
 * only reads the run and what it is handed, and hands on entries; {@link GraphOutcomes} is its face.
 */
final class Advance {
    private Advance() {}

    /** Takes the entries decided, folding each into the run's state before the next ({@link Draft}). */
    interface Sink {
        RunState state();

        void append(JournalEntry entry);
    }

    /** What deciding needs from the store, handed in ({@link GraphOutcomes.Facts}). */
    interface Lookup {
        /** The item {@code index} of the forEach step at {@code block}. */
        JsonNode item(String block, int index);

        /**
         * The completed steps inside {@code scopes} that declare a compensation and were not undone
         * yet, in the order they completed.
         */
        List<CompensationTarget> undoable(CompiledPlaybook playbook, List<String> scopes);
    }

    /** Goes on after the step at {@code path} ended and said the run goes to {@code next}. */
    static void after(Sink sink, CompiledPlaybook playbook, String path, String next, Instant now, Lookup lookup) {
        var scope = StepPaths.scopeOf(path);
        if (scope.isEmpty()) {
            sink.append(inSequence(sink.state(), playbook, next, now));
        } else if (!next.equals(Step.END)) {
            sink.append(schedule(sink.state(), playbook, StepPaths.child(scope, next), now));
        } else if (scope.endsWith("]")) {
            int open = scope.lastIndexOf('[');
            iterationEnded(
                    sink,
                    playbook,
                    scope.substring(0, open),
                    Integer.parseInt(scope.substring(open + 1, scope.length() - 1)),
                    now,
                    lookup);
        } else {
            branchEnded(sink, playbook, StepPaths.scopeOf(scope), StepPaths.idOf(scope), now, lookup);
        }
    }

    /**
     * What follows a step of the run's own sequence (in no branch, forEach or conversation) that
     * said the run goes to {@code next}: that step becoming due, or the run's completion. It reads
     * {@code state} only as it is, so a caller need not fold anything into a copy of it.
     */
    static JournalEntry inSequence(RunState state, CompiledPlaybook playbook, String next, Instant now) {
        return next.equals(Step.END) ? new RunCompleted() : schedule(state, playbook, next, now);
    }

    /** The step at {@code path} becoming due now. */
    static StepScheduled schedule(RunState state, CompiledPlaybook playbook, String path, Instant now) {
        int iteration = state.entered.getOrDefault(path, 0);
        return new StepScheduled(path, iteration, playbook.step(path).kind(), now);
    }

    /** Starts the forEach at {@code block} on its first items, or completes it when there are none. */
    static void startItems(
            Sink sink,
            CompiledPlaybook playbook,
            CompiledStep.ForEach forEach,
            String block,
            List<JsonNode> items,
            Instant now,
            Lookup lookup) {
        int iteration = sink.state().record(block).iteration;
        sink.append(new JournalEntry.ItemsListed(block, iteration, items));
        if (items.isEmpty()) {
            complete(sink, playbook, block, Optional.empty(), Json.mapper().createArrayNode(), now, lookup);
            return;
        }
        for (int i = 0; i < Math.min(forEach.concurrency(), items.size()); i++) {
            startIteration(sink, playbook, forEach, block, iteration, i, items.get(i), now);
        }
    }

    private static void startIteration(
            Sink sink,
            CompiledPlaybook playbook,
            CompiledStep.ForEach forEach,
            String block,
            int iteration,
            int index,
            JsonNode item,
            Instant now) {
        sink.append(new IterationStarted(block, iteration, index, item));
        var first = StepPaths.child(StepPaths.iteration(block, index), forEach.first());
        sink.append(schedule(sink.state(), playbook, first, now));
    }

    private static void iterationEnded(
            Sink sink, CompiledPlaybook playbook, String block, int index, Instant now, Lookup lookup) {
        var state = sink.state();
        if (playbook.step(block) instanceof CompiledStep.Conversation conversation) {
            turnEnded(sink, playbook, conversation, block, index);
            return;
        }
        var forEach = (CompiledStep.ForEach) playbook.step(block);
        var progress = state.blocks.get(block);
        var scope = state.scopes.get(StepPaths.iteration(block, index));
        sink.append(new IterationEnded(block, progress.iteration, index, scope.steps.deepCopy()));
        if (progress.next < progress.total) {
            int next = progress.next;
            startIteration(sink, playbook, forEach, block, progress.iteration, next, lookup.item(block, next), now);
        } else if (progress.running == 0) {
            // every item is done; collecting their results is the forEach step's own work
            sink.append(new JoinScheduled(block, progress.iteration));
        }
    }

    /** Starts turn {@code turn} of the conversation at {@code block}, beginning the conversation at turn 0. */
    static void startTurn(
            Sink sink,
            CompiledPlaybook playbook,
            CompiledStep.Conversation conversation,
            String block,
            int turn,
            Instant now) {
        int iteration = sink.state().record(block).iteration;
        if (turn == 0) {
            sink.append(new JournalEntry.TurnsStarted(block, iteration));
        }
        var speaker = conversation.speaker(turn);
        sink.append(new IterationStarted(
                block, iteration, turn, Json.mapper().getNodeFactory().textNode(speaker)));
        sink.append(schedule(sink.state(), playbook, StepPaths.child(StepPaths.iteration(block, turn), speaker), now));
    }

    /**
     * A turn ended: its transcript entry (what the speaker said and what its model calls cost) is
     * recorded, and the conversation is due again to decide whether to go on.
     */
    private static void turnEnded(
            Sink sink, CompiledPlaybook playbook, CompiledStep.Conversation conversation, String block, int index) {
        var state = sink.state();
        var progress = state.blocks.get(block);
        var speaker = conversation.speaker(index);
        var path = StepPaths.child(StepPaths.iteration(block, index), speaker);
        var record = state.record(path);
        var cost = java.math.BigDecimal.ZERO;
        for (var note : record.provenance) {
            cost = cost.add(Turns.cost(note.path("detail")));
        }
        var entry = Json.object();
        entry.put("turn", index);
        entry.put("speaker", speaker);
        entry.put("agent", ((CompiledStep.AgentCall) playbook.step(path)).agent());
        entry.set("output", record.output);
        entry.put("costUsd", cost.toPlainString());
        sink.append(new IterationEnded(block, progress.iteration, index, entry));
        sink.append(new JoinScheduled(block, progress.iteration));
    }

    private static void branchEnded(
            Sink sink, CompiledPlaybook playbook, String block, String branch, Instant now, Lookup lookup) {
        var state = sink.state();
        var parallel = (CompiledStep.Parallel) playbook.step(block);
        var progress = state.blocks.get(block);
        var scope = state.scopes.get(StepPaths.branch(block, branch));
        sink.append(new BranchEnded(block, progress.iteration, branch, true, scope.steps.deepCopy()));
        long finished =
                progress.branches.values().stream().filter("completed"::equals).count();
        if (finished < parallel.join().required(parallel.branches().size())) {
            return;
        }
        var cancelled = progress.branches.entrySet().stream()
                .filter(e -> e.getValue().equals("running"))
                .map(java.util.Map.Entry::getKey)
                .toList();
        for (var other : cancelled) {
            sink.append(new BranchEnded(block, progress.iteration, other, false, Json.object()));
        }
        var targets = new ArrayList<>(lookup.undoable(
                playbook,
                cancelled.stream().map(b -> StepPaths.branch(block, b)).toList()));
        if (!targets.isEmpty()) {
            java.util.Collections.reverse(targets);
            sink.append(new BranchesUndoing(block, progress.iteration, targets));
            sink.append(new CompensationScheduled(
                    targets.getFirst().step(), targets.getFirst().iteration()));
            return;
        }
        join(sink, playbook, block, now, lookup);
    }

    /**
     * After an undo of a cancelled branch's step finished: the next undo, or, when all are done, the
     * parallel step's completion.
     */
    static void undone(Sink sink, CompiledPlaybook playbook, String step, int iteration, Instant now, Lookup lookup) {
        var state = sink.state();
        for (var entry : state.blocks.entrySet()) {
            var progress = entry.getValue();
            boolean mine = progress.undo.stream().anyMatch(t -> t.step().equals(step) && t.iteration() == iteration);
            if (!mine) {
                continue;
            }
            if (progress.undone < progress.undo.size()) {
                var target = progress.undo.get(progress.undone);
                sink.append(new CompensationScheduled(target.step(), target.iteration()));
            } else {
                join(sink, playbook, entry.getKey(), now, lookup);
            }
            return;
        }
        throw new IllegalStateException("run " + state.id + " is not undoing step '" + step + "'");
    }

    private static void join(Sink sink, CompiledPlaybook playbook, String block, Instant now, Lookup lookup) {
        var progress = sink.state().blocks.get(block);
        complete(sink, playbook, block, Optional.empty(), progress.outputs.deepCopy(), now, lookup);
    }

    /** Completes the step at {@code path} with {@code output} and goes on. */
    static void complete(
            Sink sink,
            CompiledPlaybook playbook,
            String path,
            Optional<String> agent,
            JsonNode output,
            Instant now,
            Lookup lookup) {
        var record = sink.state().record(path);
        var next = playbook.step(path).next();
        sink.append(new StepCompleted(path, record.iteration, record.input, output, agent, next));
        after(sink, playbook, path, next, now, lookup);
    }
}
