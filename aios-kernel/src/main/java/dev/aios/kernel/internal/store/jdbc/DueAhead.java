package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.internal.store.WorkKind;
import dev.aios.kernel.internal.store.WorkStore.WorkItem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The items due longest as a writer's transaction found them when it took its turn (locked, so no
 * other node takes them), with what the transaction changed of them since and the items it made
 * due itself: what a unit that takes an item on the way ({@link
 * dev.aios.kernel.internal.store.WorkStore#dueLongest}) asks, answered without a round trip. Items
 * that became due since the look are not known; the dispatcher finds them.
 */
public final class DueAhead {
    /**
     * How far apart the time a unit asks at and the time of the look may be for the look to answer:
     * further (a clock set apart, as tests do) the database is asked.
     */
    private static final long CLOCKS_APART_MILLIS = 1_000;

    /**
     * The look, sent with a writer's turn: the items due at a time (given twice) that no one holds,
     * the longest due first, at most a number of them, locked; its rows go to {@link #found}.
     */
    public static final String LOOK = JdbcWork.DUE_ROWS_LOCKED;

    private final int asked;
    private final long lookedAt;
    private final Map<WorkKey, WorkRow> rows = new HashMap<>();
    /** How many the look found. */
    private int foundAtFirst;
    /** The due time of the last item the look found: items not found were due at it or later. */
    private long horizon = Long.MIN_VALUE;
    /** Whether the transaction changed work it cannot follow here: nothing is known any more. */
    private boolean lost;

    /**
     * @param asked how many items the look asked for
     * @param lookedAt the time it looked at, epoch milliseconds
     */
    public DueAhead(int asked, long lookedAt) {
        this.asked = asked;
        this.lookedAt = lookedAt;
    }

    /** A row of {@link #LOOK}: the items come in the order of their due times. */
    public void found(dev.aios.kernel.spi.Row r) {
        var row = JdbcWork.row(r);
        found(row.getKey(), row.getValue());
    }

    void found(WorkKey key, WorkRow row) {
        rows.put(key, row);
        foundAtFirst++;
        horizon = row.visibleAt();
    }

    /**
     * Applies a change the transaction made to {@code key}'s row ({@code change} gets null for a row
     * not known, and returns null for one that no longer exists or is not known).
     */
    void change(WorkKey key, UnaryOperator<WorkRow> change) {
        var before = rows.get(key);
        var after = change.apply(before);
        if (after == null) {
            if (before != null) {
                rows.remove(key);
            }
        } else {
            rows.put(key, after);
        }
    }

    /** Forgets the items of run {@code runId}, or of every run when null: the transaction changed them unseen. */
    void forget(String runId) {
        if (runId == null) {
            lost = true;
            rows.clear();
            return;
        }
        rows.keySet().removeIf(key -> key.runId().equals(runId));
    }

    /**
     * The items due at {@code now} and leased by no one, the longest due first, at most {@code max}:
     * null when that cannot be told without asking (the look found as many as it asked for, and the
     * answer would reach past the last of them).
     */
    List<WorkItem> due(long now, int max) {
        if (lost || Math.abs(now - lookedAt) > CLOCKS_APART_MILLIS) {
            return null;
        }
        var due = new ArrayList<Map.Entry<WorkKey, WorkRow>>();
        for (var entry : rows.entrySet()) {
            if (entry.getValue().dueAt(now)) {
                due.add(entry);
            }
        }
        due.sort(Comparator.comparingLong(e -> e.getValue().visibleAt()));
        var items = new ArrayList<WorkItem>(Math.min(max, due.size()));
        boolean whole = foundAtFirst < asked;
        for (var entry : due) {
            if (items.size() == max) {
                break;
            }
            var row = entry.getValue();
            if (!whole && row.visibleAt() > horizon) {
                // Items the look did not find may be due before this one.
                return null;
            }
            items.add(new WorkItem(
                    entry.getKey(), WorkKind.fromWire(row.kind()), Instant.ofEpochMilli(row.visibleAt()), (int)
                            row.attempt()));
        }
        if (!whole && items.size() < max) {
            return null;
        }
        return items;
    }
}
