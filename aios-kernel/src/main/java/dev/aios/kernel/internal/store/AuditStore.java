package dev.aios.kernel.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The hash-chained audit log of operator and admin actions, as stored: each entry keeps its
 * details as the exact text its checksum covers. Positions are never given twice, even after the
 * newest entries were removed, so a removal at the end is found.
 */
public interface AuditStore {

    /**
     * An entry as stored.
     *
     * @param details the details' JSON text, exactly as the checksum covers it
     */
    record StoredAudit(
            long seq, Instant at, String actor, String action, String target, String details, String checksum) {}

    /** The newest entry, if there is one. */
    Optional<StoredAudit> last();

    /**
     * The highest position ever given to an entry, even one since removed; 0 when none was. In a
     * write, a store shared by several nodes holds the log from here to the end of the transaction,
     * so ask before {@link #last()} when appending.
     */
    long assigned();

    /** Appends {@code entry} at its position. */
    void append(StoredAudit entry);

    /** Entries at or after {@code from}, oldest first, at most {@code limit}. */
    List<StoredAudit> since(Instant from, int limit);

    /** Every entry, oldest first. */
    List<StoredAudit> all();
}
