package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationTarget;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.playbook.StepPaths;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Tx;
import java.time.Instant;
import java.util.List;

/** One run's journal within one transaction: where {@link Advance} appends, and what it looks up. */
final class RunWrites implements Advance.Sink, Advance.Lookup {
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

    @Override
    public RunState state() {
        return state;
    }

    @Override
    public void append(JournalEntry entry) {
        journal.append(tx, state, now, List.of(entry));
    }

    @Override
    public JsonNode item(String block, int index) {
        return tx.loops()
                .item(state.id, block, index)
                .orElseThrow(() -> new IllegalStateException(
                        "run " + state.id + " has no item " + index + " for step '" + block + "'"));
    }

    @Override
    public List<CompensationTarget> undoable(CompiledPlaybook playbook, List<String> scopes) {
        var completed = Saga.completed(tx, journal, state);
        completed.removeIf(c -> scopes.stream().noneMatch(s -> StepPaths.within(c.step(), s)));
        return Saga.undoable(completed, playbook);
    }

    /** Appends what follows the entries of a decision, once they are appended. */
    void follow(CompiledPlaybook playbook, Decision.Then then) {
        switch (then) {
            case Decision.Stop stop -> {}
            case Decision.GoOn go -> Advance.after(this, playbook, go.from(), go.next(), now, this);
            case Decision.UndoNext undo -> Progress.next(this, playbook, undo.step(), undo.iteration(), now);
        }
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
