package dev.aios.api;

import java.util.List;

/**
 * What a recall found, best first.
 *
 * @param items the items, at most the query's k
 * @param searchedByMeaning whether the vector search ran; it does not when no embedding model is
 *     configured or the query asks only for kinds that are not embedded
 */
public record Recall(List<MemoryHit> items, boolean searchedByMeaning) {
    public Recall {
        items = List.copyOf(items);
    }
}
