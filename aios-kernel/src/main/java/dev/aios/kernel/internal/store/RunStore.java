package dev.aios.kernel.internal.store;

import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.internal.run.RunState;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The runs' folded states: derived from the journal, rewritten by every unit that appends to it. */
public interface RunStore {

    /**
     * The run's state, if the run exists. In a write the caller may change it and {@link #save}
     * it; the store may hand out a state it keeps in memory, so a change not saved is undone only
     * by the unit rolling back. A store shared by several nodes locks the run until the
     * transaction ends, so no two nodes append to one run at once.
     */
    Optional<RunState> load(String runId);

    /** Stores the run's state, after the entries of a unit were appended and projected. */
    void save(RunState state);

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
