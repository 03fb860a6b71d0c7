package dev.aios.kernel.spi;

import java.util.List;

/** Reads what the kernel accepted, in order, to catch up after a restart. */
public interface Feed {

    /**
     * Up to {@code limit} items after the given positions: events (by event sequence) and journal
     * entries (by journal position), merged by time. Each source comes as a prefix of its own
     * order, so a reader keeps one position per source: the highest it received of each.
     */
    List<FeedItem> after(long eventSeq, long journalPosition, int limit);
}
