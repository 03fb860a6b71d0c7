package dev.aios.kernel.spi;

import java.util.List;

/** Hears the events and journal entries of each commit, after it is durable. Must be quick. */
@FunctionalInterface
public interface FeedListener {
    void accepted(List<FeedItem> items);
}
