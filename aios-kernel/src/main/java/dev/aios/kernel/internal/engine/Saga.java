package dev.aios.kernel.internal.engine;

import dev.aios.kernel.internal.journal.EntryTypes;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationStarted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationTarget;
import dev.aios.kernel.internal.journal.JournalEntry.RunCompensated;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Tx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Undoing a run: every completed step that declares a compensation is compensated, newest first
 * (every iteration of a step that ran several times), then the run ends compensated. The
 * decisions are pure; {@link #completed} reads what they are decided from.
 */
final class Saga {
    private static final String COMPLETED = EntryTypes.nameOf(StepCompleted.class);

    private Saga() {}

    /**
     * The entries that start undoing the run: empty when nothing in it can be undone.
     *
     * @param completed the run's completed steps, oldest first (see {@link #completed})
     */
    static List<JournalEntry> start(
            CompiledPlaybook playbook, String reason, List<StepCompleted> completed) {
        var targets = targets(completed, playbook);
        if (targets.isEmpty()) {
            return List.of();
        }
        var first = targets.getFirst();
        return List.of(
                new CompensationStarted(reason, targets), new CompensationScheduled(first.step(), first.iteration()));
    }

    /**
     * What follows an undo that finished: the next undo, or the end.
     *
     * @param done how many undos are finished, the one just finished included
     */
    static JournalEntry next(RunState state, int done) {
        var saga = state.compensation;
        if (done < saga.targets.size()) {
            var target = saga.targets.get(done);
            return new CompensationScheduled(target.step(), target.iteration());
        }
        return new RunCompensated();
    }

    /** The run's completed steps as journaled, oldest first. */
    static List<StepCompleted> completed(Tx tx, RunJournal journal, RunState state) {
        var completed = new ArrayList<StepCompleted>();
        for (var stored : journal.stored(tx, state.id)) {
            if (stored.type().equals(COMPLETED)) {
                completed.add((StepCompleted) journal.decode(stored));
            }
        }
        return completed;
    }

    private static List<CompensationTarget> targets(List<StepCompleted> completed, CompiledPlaybook playbook) {
        var targets = new ArrayList<CompensationTarget>();
        for (var step : completed) {
            if (playbook.step(step.step()) instanceof CompiledStep.AgentCall call
                    && call.compensation().isPresent()) {
                targets.add(new CompensationTarget(step.step(), step.iteration(), step.output()));
            }
        }
        Collections.reverse(targets);
        return targets;
    }
}
