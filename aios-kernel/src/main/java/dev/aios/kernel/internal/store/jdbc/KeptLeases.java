package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.internal.store.WorkKey;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The leases a store's writer granted, by run and item, with their owner, so that a step's check of
 * its lease reads no row: every change of a lease goes through the writer's work store, which says
 * so ({@link JdbcTx#leaseChanged}, {@link JdbcTx#leasesOfRunChanged}). Kept for at most 10,000 runs,
 * those whose leases were used least recently forgotten first. Touched only on the writer's thread.
 *
 * <p>By run, so that forgetting a run's leases, which follows every run's end, looks at that run's
 * leases only and not at every lease kept.
 */
public final class KeptLeases {
    /** The most runs whose leases are kept. */
    static final int MAX_RUNS = 10_000;

    private final Map<String, Map<WorkKey, String>> byRun = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<WorkKey, String>> eldest) {
            return size() > MAX_RUNS;
        }
    };

    /** The owner of {@code key}'s lease as this writer granted it, or null when not known. */
    public String owner(WorkKey key) {
        var leases = byRun.get(key.runId());
        return leases == null ? null : leases.get(key);
    }

    /** Keeps that {@code owner} holds the lease of {@code key}. */
    public void held(WorkKey key, String owner) {
        byRun.computeIfAbsent(key.runId(), run -> new HashMap<>(4)).put(key, owner);
    }

    /** Forgets the lease of {@code key} (of every item, when null): the writer changed it, or may have. */
    public void changed(WorkKey key) {
        if (key == null) {
            byRun.clear();
            return;
        }
        var leases = byRun.get(key.runId());
        if (leases != null && leases.remove(key) != null && leases.isEmpty()) {
            byRun.remove(key.runId());
        }
    }

    /**
     * Forgets the leases of run {@code runId}'s items: the writer removed some of its rows. The
     * leases of other runs stay known, so that their steps' lease checks, which follow every run's
     * end at many runs in flight, read nothing.
     */
    public void ofRunChanged(String runId) {
        byRun.remove(runId);
    }

    /** How many runs' leases are kept. */
    int runs() {
        return byRun.size();
    }
}
