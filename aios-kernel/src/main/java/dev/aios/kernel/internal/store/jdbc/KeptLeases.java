package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.internal.store.WorkKey;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The leases a store's writer granted, by item, with their owner, so that a step's check of its
 * lease reads no row: every change of a lease goes through the writer's work store, which says so
 * ({@link JdbcTx#leaseChanged}, {@link JdbcTx#leasesOfRunChanged}). At most 10,000, the least
 * recently used forgotten first. Touched only on the writer's thread.
 */
public final class KeptLeases {
    private final Map<WorkKey, String> byItem = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<WorkKey, String> eldest) {
            return size() > 10_000;
        }
    };

    /** The leases kept, for {@link JdbcTx#leasesHeld}. */
    public Map<WorkKey, String> held() {
        return byItem;
    }

    /** Forgets the lease of {@code key} (of every item, when null): the writer changed it, or may have. */
    public void changed(WorkKey key) {
        if (key == null) {
            byItem.clear();
        } else {
            byItem.remove(key);
        }
    }

    /**
     * Forgets the leases of run {@code runId}'s items: the writer removed some of its rows. The
     * leases of other runs stay known, so that their steps' lease checks, which follow every run's
     * end at many runs in flight, read nothing.
     */
    public void ofRunChanged(String runId) {
        byItem.keySet().removeIf(key -> key.runId().equals(runId));
    }
}
