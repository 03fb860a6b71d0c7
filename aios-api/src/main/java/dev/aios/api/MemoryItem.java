package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * An item as memory stores it.
 *
 * @param id the item's id
 * @param kind what it is
 * @param subject who or what it is about, "" for no one
 * @param at when it was stored (for episodic items, when it happened)
 * @param importance 0 to 1
 * @param pinned whether retention leaves it alone
 * @param chunks how many chunks its text was split into
 * @param bytes the size of its text in UTF-8
 * @param metadata what was kept with it
 */
public record MemoryItem(
        String id,
        MemoryKind kind,
        String subject,
        Instant at,
        double importance,
        boolean pinned,
        int chunks,
        long bytes,
        JsonNode metadata) {

    @Override
    public JsonNode metadata() {
        return metadata.deepCopy();
    }
}
