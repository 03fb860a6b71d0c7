package dev.aios.kernel.internal.engine;

import dev.aios.kernel.internal.journal.EntryTypes;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationStarted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationTarget;
import dev.aios.kernel.internal.journal.JournalEntry.RunCompensated;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;

/**
 * Undoing a run: every completed step that declares a compensation is compensated, newest first
 * (every iteration of a step that ran several times, the steps of parallel branches and forEach
 * iterations in the order they completed), then the run ends compensated. Steps already undone (in
 * a branch a join cancelled) are not undone again. The decisions are pure; {@link #completed}
 * reads what they are decided from.
 */
final class Saga {
    private static final String COMPLETED = EntryTypes.nameOf(StepCompleted.class);
    private static final String UNDONE = EntryTypes.nameOf(CompensationCompleted.class);

    private Saga() {}

    /**
     * The entries that start undoing the run: empty when nothing in it can be undone.
     *
     * @param completed the run's completed steps, oldest first (see {@link #completed})
     */
    static List<JournalEntry> start(CompiledPlaybook playbook, String reason, List<StepCompleted> completed) {
        var targets = targets(completed, playbook);
        if (targets.isEmpty()) {
            return List.of();
        }
        var first = targets.getFirst();
        return List.of(
                new CompensationStarted(reason, targets), new CompensationScheduled(first.step(), first.iteration()));
    }

    /**
     * Starts undoing the run in {@code tx} when anything in it can be undone.
     *
     * @return whether it started (false: nothing in the run can be undone, and nothing was recorded)
     */
    static boolean start(
            Tx tx, RunJournal journal, RunState state, CompiledPlaybook playbook, String reason, Instant now) {
        var entries = start(playbook, reason, completed(tx, journal, state));
        if (entries.isEmpty()) {
            return false;
        }
        journal.append(tx, state, now, entries);
        return true;
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

    /**
     * The run's completed steps as journaled, oldest first, leaving out those already undone (in a
     * branch a join cancelled).
     */
    static List<StepCompleted> completed(Tx tx, RunJournal journal, RunState state) {
        var completed = new ArrayList<StepCompleted>();
        var undone = new HashSet<String>();
        for (var stored : journal.stored(tx, state.id)) {
            if (stored.type().equals(COMPLETED)) {
                completed.add((StepCompleted) journal.decode(stored));
            } else if (stored.type().equals(UNDONE)) {
                var entry = (CompensationCompleted) journal.decode(stored);
                undone.add(entry.step() + "#" + entry.iteration());
            }
        }
        completed.removeIf(c -> undone.contains(c.step() + "#" + c.iteration()));
        return completed;
    }

    /** The completed steps that can be undone (they declare how, or they called a child run), oldest first. */
    static List<CompensationTarget> undoable(List<StepCompleted> completed, CompiledPlaybook playbook) {
        var targets = new ArrayList<CompensationTarget>();
        for (var step : completed) {
            if (RunWrites.undoable(playbook.step(step.step()))) {
                targets.add(new CompensationTarget(step.step(), step.iteration(), step.output()));
            }
        }
        return targets;
    }

    private static List<CompensationTarget> targets(List<StepCompleted> completed, CompiledPlaybook playbook) {
        var targets = new ArrayList<>(undoable(completed, playbook));
        Collections.reverse(targets);
        return targets;
    }
}
