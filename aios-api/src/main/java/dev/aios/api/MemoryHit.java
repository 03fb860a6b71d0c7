package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.OptionalInt;

/**
 * One item recalled, with its score and why it scored so.
 *
 * @param id the item's id (for a knowledge record, the record's id)
 * @param version the item's version (for a knowledge record, the record's version; 1 otherwise)
 * @param chunk which chunk of the item matched, 0 for the first
 * @param kind what the item is
 * @param subject who or what it is about
 * @param at when it was stored or happened
 * @param text the chunk's text
 * @param metadata what was kept with the item
 * @param score relevance × decay × importance weight; higher is better
 * @param why how the score came about
 */
public record MemoryHit(
        String id,
        int version,
        int chunk,
        MemoryKind kind,
        String subject,
        Instant at,
        String text,
        JsonNode metadata,
        double score,
        Why why) {

    /**
     * How a score came about.
     *
     * @param textRank the item's rank in the text (BM25) search, from 1; empty when not found by text
     * @param vectorRank its rank in the vector (HNSW) search, from 1; empty when not found by meaning
     * @param relevance the two ranks fused (reciprocal rank fusion), 0 to 1: 1 when first in every
     *     search that could find it
     * @param decay 0 to 1: halves with every half-life of the item's kind since it was stored or last
     *     used by a step
     * @param importance the item's importance, 0 to 1; it weighs the score by 0.5 + importance
     * @param explanation the same in words
     */
    public record Why(
            OptionalInt textRank,
            OptionalInt vectorRank,
            double relevance,
            double decay,
            double importance,
            String explanation) {}

    /** The item as provenance names it: {@code id@version}. */
    public String ref() {
        return id + "@" + version;
    }

    @Override
    public JsonNode metadata() {
        return metadata.deepCopy();
    }
}
