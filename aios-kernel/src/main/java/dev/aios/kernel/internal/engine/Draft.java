package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationTarget;
import dev.aios.kernel.internal.journal.JournalEntry.ItemsListed;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.StepPaths;
import dev.aios.kernel.internal.run.RunFold;
import dev.aios.kernel.internal.run.RunState;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * A run's entries decided but not appended yet: each is folded into a copy of the run's state, so
 * that the next one is decided from the run as the entries before it leave it. The run's own state
 * is left as it is; whoever persists appends {@link #entries()} to it, which folds them the same way.
 */
final class Draft implements Advance.Sink, Advance.Lookup {
    private final RunState state;
    private final Instant at;
    private final GraphOutcomes.Facts facts;
    private final List<JournalEntry> entries = new ArrayList<>();

    Draft(RunState state, Instant now, GraphOutcomes.Facts facts) {
        this.state = state.copy();
        // as the journal stores them, so that the copy folds exactly as the run will
        this.at = now.truncatedTo(ChronoUnit.MILLIS);
        this.facts = facts;
    }

    @Override
    public RunState state() {
        return state;
    }

    @Override
    public void append(JournalEntry entry) {
        RunFold.apply(state, entry, at);
        state.seq++;
        entries.add(entry);
    }

    void appendAll(List<? extends JournalEntry> more) {
        more.forEach(this::append);
    }

    /** The entries decided so far, in order. */
    List<JournalEntry> entries() {
        return List.copyOf(entries);
    }

    @Override
    public JsonNode item(String block, int index) {
        for (var entry : entries) {
            if (entry instanceof ItemsListed listed && listed.step().equals(block)) {
                return listed.items().get(index);
            }
        }
        return facts.item().apply(block, index);
    }

    @Override
    public List<CompensationTarget> undoable(CompiledPlaybook playbook, List<String> scopes) {
        if (scopes.isEmpty()) {
            return List.of(); // no branch was cancelled: the journal need not be read
        }
        var completed = new ArrayList<>(facts.completed().get());
        var undone = new HashSet<String>();
        for (var entry : entries) {
            if (entry instanceof StepCompleted step) {
                completed.add(step);
            } else if (entry instanceof CompensationCompleted step) {
                undone.add(step.step() + "#" + step.iteration());
            }
        }
        completed.removeIf(c -> undone.contains(c.step() + "#" + c.iteration())
                || scopes.stream().noneMatch(s -> StepPaths.within(c.step(), s)));
        return Saga.undoable(completed, playbook);
    }
}
