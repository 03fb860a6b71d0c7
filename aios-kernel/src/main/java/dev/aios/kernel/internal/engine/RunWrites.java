package dev.aios.kernel.internal.engine;

import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Tx;
import java.time.Instant;
import java.util.List;

/**
 * One run's journal within one transaction: appends what the deciders ({@link StepOutcomes},
 * {@link Answers}, {@link GraphOutcomes}, {@link Calls}) return, and reads what they may need.
 */
final class RunWrites {
    private final Tx tx;
    private final RunJournal journal;
    private final RunState state;
    private final Instant now;

    RunWrites(Tx tx, RunJournal journal, RunState state, Instant now) {
        this.tx = tx;
        this.journal = journal;
        this.state = state;
        this.now = now;
    }

    /** The run as the entries appended so far leave it. */
    RunState state() {
        return state;
    }

    /** Appends {@code entries} as decided. */
    void append(List<JournalEntry> entries) {
        if (!entries.isEmpty()) {
            journal.append(tx, state, now, entries);
        }
    }

    /** What deciding may read from the store about this run, read in this transaction when needed. */
    GraphOutcomes.Facts facts() {
        return new GraphOutcomes.Facts(() -> Saga.completed(tx, journal, state), (block, index) -> tx.loops()
                .item(state.id, block, index)
                .orElseThrow(() -> new IllegalStateException(
                        "run " + state.id + " has no item " + index + " for step '" + block + "'")));
    }

    /** Appends what follows the entries of a decision, once they are appended. */
    void follow(CompiledPlaybook playbook, Decision.Then then) {
        append(following(playbook, then));
    }

    /** What follows the entries of a decision, once they are appended; not appended yet. */
    List<JournalEntry> following(CompiledPlaybook playbook, Decision.Then then) {
        return GraphOutcomes.follow(state, playbook, then, now, facts());
    }

    /** Whether a completed step of this kind can be undone: it declares how, or it called a child run. */
    static boolean undoable(CompiledStep step) {
        return switch (step) {
            case CompiledStep.AgentCall call -> call.compensation().isPresent();
            case CompiledStep.Call call -> true;
            default -> false;
        };
    }
}
