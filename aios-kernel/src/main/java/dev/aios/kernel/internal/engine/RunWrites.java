package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.StorageException;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationTarget;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.playbook.StepPaths;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Tx;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Predicate;

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
        try {
            journal.append(tx, state, now, List.of(entry));
        } catch (SQLException e) {
            throw new StorageException("could not record: " + e.getMessage(), e);
        }
    }

    @Override
    public JsonNode item(String block, int index) {
        try {
            return tx.queryOne(
                            "SELECT item FROM loop_items WHERE run_id = ? AND block = ? AND idx = ?",
                            r -> Json.tree(r.text("item")),
                            state.id,
                            block,
                            index)
                    .orElseThrow(() -> new IllegalStateException(
                            "run " + state.id + " has no item " + index + " for step '" + block + "'"));
        } catch (SQLException e) {
            throw new StorageException("could not read the items of step '" + block + "': " + e.getMessage(), e);
        }
    }

    @Override
    public List<CompensationTarget> undoable(CompiledPlaybook playbook, List<String> scopes) {
        try {
            return undoable(
                    tx, journal, state, playbook, path -> scopes.stream().anyMatch(s -> StepPaths.within(path, s)));
        } catch (SQLException e) {
            throw new StorageException("could not read the journal of run " + state.id + ": " + e.getMessage(), e);
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

    /**
     * The completed steps of the run (at paths {@code where} accepts) that declare a compensation
     * and were not undone yet, in the order they completed.
     */
    static List<CompensationTarget> undoable(
            Tx tx, RunJournal journal, RunState state, CompiledPlaybook playbook, Predicate<String> where)
            throws SQLException {
        var completed = new ArrayList<StepCompleted>();
        var undone = new HashSet<String>();
        for (var stored : journal.stored(tx, state.id)) {
            switch (stored.type()) {
                case "StepCompleted" -> {
                    var entry = (StepCompleted) journal.decode(stored);
                    if (where.test(entry.step()) && undoable(playbook.step(entry.step()))) {
                        completed.add(entry);
                    }
                }
                case "CompensationCompleted" -> {
                    var entry = (CompensationCompleted) journal.decode(stored);
                    undone.add(entry.step() + "#" + entry.iteration());
                }
                default -> {}
            }
        }
        return completed.stream()
                .filter(c -> !undone.contains(c.step() + "#" + c.iteration()))
                .map(c -> new CompensationTarget(c.step(), c.iteration(), c.output()))
                .toList();
    }
}
