package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.BranchesStarted;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.playbook.StepPaths;
import dev.aios.kernel.internal.run.RunState;
import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What the steps that hold others produce (parallel branches, forEach items, conversation turns),
 * and what follows a step that ended or an undo that finished (the next step, the end of a branch,
 * an iteration or the run, a join, the next undo): the journal entries, and with them the next
 * work, decided without touching the store. Each decision is worked out on a {@link Draft} of the
 * run; {@link RunWrites} appends what it returns.
 */
final class GraphOutcomes {
    private GraphOutcomes() {}

    /**
     * What deciding may need from the store, read only when needed.
     *
     * @param completed the run's completed steps as journaled, oldest first, leaving out those undone
     *     (see {@link Saga#completed}); needed when a join cancels branches
     * @param item the item at an index of a forEach step's list; needed when an iteration ends
     */
    record Facts(Supplier<List<StepCompleted>> completed, BiFunction<String, Integer, JsonNode> item) {
        /** For decisions that need nothing from the store. */
        static final Facts NONE = new Facts(
                () -> {
                    throw new IllegalStateException("this decision reads no completed steps");
                },
                (block, index) -> {
                    throw new IllegalStateException("this decision reads no forEach items");
                });
    }

    /** The parallel step {@code step} starts its branches: each branch's first step is due now. */
    static List<JournalEntry> fork(RunState state, CompiledPlaybook playbook, String step, int iteration, Instant now) {
        var draft = new Draft(state, now, Facts.NONE);
        var parallel = (CompiledStep.Parallel) playbook.step(step);
        draft.append(new BranchesStarted(
                step, iteration, List.copyOf(parallel.branches().keySet())));
        parallel.branches()
                .forEach((branch, first) -> draft.append(Advance.schedule(
                        draft.state(), playbook, StepPaths.child(StepPaths.branch(step, branch), first), now)));
        return draft.entries();
    }

    /** The forEach step {@code block} listed {@code items}: its first iterations start, or it completes. */
    static List<JournalEntry> items(
            RunState state, CompiledPlaybook playbook, String block, List<JsonNode> items, Instant now, Facts facts) {
        var draft = new Draft(state, now, facts);
        var forEach = (CompiledStep.ForEach) playbook.step(block);
        Advance.startItems(draft, playbook, forEach, block, items, now, draft);
        return draft.entries();
    }

    /** Turn {@code turn} of the conversation {@code block} starts. */
    static List<JournalEntry> turn(RunState state, CompiledPlaybook playbook, String block, int turn, Instant now) {
        var draft = new Draft(state, now, Facts.NONE);
        var conversation = (CompiledStep.Conversation) playbook.step(block);
        Advance.startTurn(draft, playbook, conversation, block, turn, now);
        return draft.entries();
    }

    /**
     * What follows a decision whose entries {@code state} already holds: the next step, the end of a
     * branch (and the join it may make ready), of an iteration or of the run; or the next undo.
     */
    static List<JournalEntry> follow(
            RunState state, CompiledPlaybook playbook, Decision.Then then, Instant now, Facts facts) {
        if (then instanceof Decision.Stop) {
            return List.of(); // the common case, without copying the run
        }
        if (then instanceof Decision.GoOn go && StepPaths.scopeOf(go.from()).isEmpty()) {
            // Decided from the run as it is: no copy of the run to fold into.
            return List.of(Advance.inSequence(state, playbook, go.next(), now));
        }
        var draft = new Draft(state, now, facts);
        switch (then) {
            case Decision.Stop stop -> {}
            case Decision.GoOn go -> Advance.after(draft, playbook, go.from(), go.next(), now, draft);
            case Decision.UndoNext undo -> undoNext(draft, playbook, undo.step(), undo.iteration(), now);
        }
        return draft.entries();
    }

    /**
     * What follows an undo that finished: the run's next undo (or its end), or, when the step was
     * in a branch that a parallel step's join cancelled, that parallel step's next undo or its join.
     */
    static void undoNext(Draft draft, CompiledPlaybook playbook, String step, int iteration, Instant now) {
        var state = draft.state();
        if (state.compensation != null) {
            draft.append(Saga.next(state, state.compensation.done));
        } else {
            Advance.undone(draft, playbook, step, iteration, now, draft);
        }
    }
}
