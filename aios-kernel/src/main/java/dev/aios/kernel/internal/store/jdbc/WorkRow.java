package dev.aios.kernel.internal.store.jdbc;

/**
 * A row of the work table as the writer last wrote or read it, kept in memory by a store that
 * keeps the work of some runs ({@link JdbcTx#workKept}); times in epoch milliseconds, as stored.
 *
 * @param kind the item's kind, by its wire name
 * @param visibleAt when the item becomes due
 * @param attempt the attempts counted so far
 * @param leaseOwner who holds the lease, or null
 * @param leaseUntil until when, or null
 */
public record WorkRow(String kind, long visibleAt, long attempt, String leaseOwner, Long leaseUntil) {

    /** Whether the item is due at {@code now} and no lease holds it: the work table's due query. */
    boolean dueAt(long now) {
        return visibleAt <= now && (leaseUntil == null || leaseUntil <= now);
    }

    /** The row with its lease let go, due at {@code at}. */
    WorkRow dueAgain(long at) {
        return new WorkRow(kind, at, attempt, null, null);
    }
}
