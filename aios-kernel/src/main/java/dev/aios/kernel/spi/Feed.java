package dev.aios.kernel.spi;

import java.util.List;

/** Reads what the kernel accepted, in order, to catch up after a restart. */
public interface Feed {

    /** Up to {@code limit} items after the given positions, events and journal entries. */
    List<FeedItem> after(long eventSeq, long journalPosition, int limit);
}
