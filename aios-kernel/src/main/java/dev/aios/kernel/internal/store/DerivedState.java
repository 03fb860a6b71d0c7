package dev.aios.kernel.internal.store;

import java.util.Map;
import java.util.Set;

/**
 * Everything derived from the journal taken as a whole (runs, work, awaits, tasks, receipts,
 * snapshots), for verifying it against a replay and rebuilding it. Leases are coordination and
 * are left out.
 */
public interface DerivedState {

    /**
     * Every derived row as comparable text, by table and then by row identity, leaving out those
     * of {@code excludedRuns}. A run's row leaves its stored JSON state out (a snapshot as of some
     * entry, see {@link RunStore}); its columns are in.
     */
    Map<String, Map<String, String>> rows(Set<String> excludedRuns);

    /** Deletes every derived row except those of {@code keptRuns}. */
    void clear(Set<String> keptRuns);
}
