package dev.aios.kernel.internal.store;

import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.internal.run.RunState;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runs' folded states, derived from the journal. A run's row keeps the columns that queries
 * read (status, current step, times, last entry) up to date with every unit; its JSON state is a
 * snapshot, written whole only while the run is parked, failed or cancelled (so it is read as it
 * is; a completed run is not, see {@code JdbcRuns}), every {@link #WHOLE_EVERY} entries, and when a
 * caller asks ({@link #saveWhole}). A new run's first save stores the JSON of the run before its
 * first entry (its id only) unless the run is already parked, failed or cancelled. In between, a
 * unit writes only those columns, and the JSON is as of an earlier entry: {@link
 * dev.aios.kernel.internal.journal.RunJournal#load} folds the entries after it.
 */
public interface RunStore {

    /**
     * At most how many entries a running run's stored JSON lags behind its journal: one unit that
     * appends this many entries since the last whole write writes the JSON whole again.
     */
    int WHOLE_EVERY = 32;

    /**
     * A run's state as the store holds it, and the number of the run's last entry as its row says.
     * The state is as of its own {@link RunState#seq}, which is below {@code lastSeq} when the
     * entries after it are still to be folded.
     */
    record Stored(RunState state, long lastSeq) {
        /** Whether entries after the state's own are still to be folded into it. */
        public boolean behind() {
            return state.seq < lastSeq;
        }
    }

    /**
     * The run's state as stored, if the run exists; callers go through {@link
     * dev.aios.kernel.internal.journal.RunJournal#load}, which folds what the state is behind. In a
     * write the caller may change it and {@link #save} it; the store may hand out a state it keeps
     * in memory (always up to date), so a change not saved is undone only by the unit rolling back.
     * A store shared by several nodes locks the run until the transaction ends, so no two nodes
     * append to one run at once.
     */
    Optional<Stored> load(String runId);

    /**
     * Stores the run's state, after the entries of a unit were appended and projected: its JSON
     * whole, or only the row's columns when the entries after the stored JSON describe the rest
     * (see the type's description).
     */
    void save(RunState state);

    /**
     * Stores the run's state with its JSON whole, as it is now: for a state changed otherwise than
     * by folding entries (forgetting a subject scrubs it, and the journal after it may no longer be
     * readable), or rebuilt from the journal.
     */
    void saveWhole(RunState state);

    /**
     * Up to {@code rows} runs matching {@code query} (its limit aside), newest first: by start time,
     * then by id, after {@code query.after()} when it is given.
     */
    List<RunSummary> find(RunQuery query, int rows);

    /** Whether the run exists. */
    boolean exists(String runId);

    /** How many runs are in each status (every status, zero included). */
    Map<RunStatus, Long> countByStatus();

    /** The ids of every run that has a state. */
    List<String> ids();

    /** The ids of the runs about {@code subject}. */
    List<String> idsOf(String subject);

    /** The ids of the runs of {@code playbook} that the event {@code eventId} started. */
    List<String> startedBy(String eventId, String playbook);
}
