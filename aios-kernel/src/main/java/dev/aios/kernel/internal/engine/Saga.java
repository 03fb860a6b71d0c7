package dev.aios.kernel.internal.engine;

import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationStarted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationTarget;
import dev.aios.kernel.internal.journal.JournalEntry.RunCompensated;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Tx;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Undoing a run: every completed step that declares a compensation is compensated, newest first
 * (every iteration of a step that ran several times, the steps of parallel branches and forEach
 * iterations in the order they completed), then the run ends compensated. Steps already undone (in
 * a branch a join cancelled) are not undone again.
 */
final class Saga {
    private Saga() {}

    /**
     * Starts undoing the run, in the caller's transaction.
     *
     * @return false when nothing in the run can be undone (nothing was appended)
     */
    static boolean start(
            Tx tx, RunJournal journal, RunState state, CompiledPlaybook playbook, String reason, Instant now)
            throws SQLException {
        var targets = targets(tx, journal, state, playbook);
        if (targets.isEmpty()) {
            return false;
        }
        var first = targets.getFirst();
        journal.append(
                tx,
                state,
                now,
                List.of(
                        new CompensationStarted(reason, targets),
                        new CompensationScheduled(first.step(), first.iteration())));
        return true;
    }

    /** What follows an undo that finished: the next undo, or the end. */
    static JournalEntry next(RunState state) {
        var saga = state.compensation;
        if (saga.done < saga.targets.size()) {
            var target = saga.targets.get(saga.done);
            return new CompensationScheduled(target.step(), target.iteration());
        }
        return new RunCompensated();
    }

    private static List<CompensationTarget> targets(
            Tx tx, RunJournal journal, RunState state, CompiledPlaybook playbook) throws SQLException {
        var targets = new ArrayList<>(RunWrites.undoable(tx, journal, state, playbook, path -> true));
        Collections.reverse(targets);
        return targets;
    }
}
