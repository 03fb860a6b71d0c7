package dev.aios.memory;

import dev.aios.api.MemoryItem;
import java.util.List;
import java.util.Set;

/**
 * What storing a batch of items did.
 *
 * @param items every item of the batch, in its order (those stored before as they were stored)
 * @param existing the ids of the items that were stored before with the same content, so nothing
 *     new was written for them (an import run again, a retried request)
 */
public record Remembered(List<MemoryItem> items, Set<String> existing) {
    public Remembered {
        items = List.copyOf(items);
        existing = Set.copyOf(existing);
    }

    /** How many items were new. */
    public int stored() {
        return (int) items.stream()
                .map(MemoryItem::id)
                .distinct()
                .filter(id -> !existing.contains(id))
                .count();
    }
}
