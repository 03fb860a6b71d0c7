package dev.aios.kernel.internal.store;

import dev.aios.kernel.internal.run.RunState;
import java.util.List;

/**
 * Copies of long runs' states every so many entries, so that replaying a run starts from the latest
 * one. Each names the entry it was taken after and that entry's checksum, so one that no longer
 * matches the journal is never used.
 */
public interface SnapshotStore {

    /**
     * A run's state after entry {@code seq}.
     *
     * @param checksum the checksum of entry {@code seq}
     */
    record Snapshot(long seq, String checksum, RunState state) {}

    /** Keeps the run's state as of its last entry, and drops its snapshots before {@code keepFrom}. */
    void save(RunState state, long keepFrom);

    /** The run's snapshots, newest first. */
    List<Snapshot> of(String runId);

    /** Drops every snapshot of the run. */
    void removeRun(String runId);
}
