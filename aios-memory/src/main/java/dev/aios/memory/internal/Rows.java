package dev.aios.memory.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.MemoryItem;
import dev.aios.api.MemoryKind;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** The shapes memory's tables are read and written in. */
final class Rows {
    private Rows() {}

    /** An item's row, with its metadata opened. */
    record Item(
            String id,
            MemoryKind kind,
            String subject,
            int version,
            Instant createdAt,
            double importance,
            boolean pinned,
            String source,
            int chunks,
            long bytes,
            JsonNode metadata) {

        MemoryItem view() {
            return new MemoryItem(id, kind, subject, createdAt, importance, pinned, chunks, bytes, metadata);
        }
    }

    /** A chunk to store: its number, text, and whether it is to be embedded. */
    record Chunk(int n, String text, boolean embed) {}

    /** An item to store with its chunks. */
    record NewItem(Item item, java.util.List<Chunk> chunks) {}

    /** An entry of the index's to-do list. */
    record Change(long seq, String op, String key) {
        static final String ITEM = "item";
        static final String CHUNK = "chunk";
        static final String SUBJECT = "subject";
    }

    /** What the index holds of one chunk. */
    record Doc(
            String itemId, int n, String subject, MemoryKind kind, Instant at, String text, Optional<float[]> vector) {
        String key() {
            return itemId + "#" + n;
        }
    }

    /** What ranks a recall candidate, read from its item's row without opening anything sealed. */
    record Standing(String id, MemoryKind kind, Instant createdAt, double importance, Optional<Instant> usedAt) {}

    /** A recalled item: its row, how it was used, and the text of its chunks asked for. */
    record Hydrated(Item item, long uses, Optional<Instant> usedAt, Map<Integer, String> chunks) {}

    /** A chunk waiting to be embedded. */
    record Waiting(String itemId, int n, String subject, String text) {}
}
