package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.OptionalDouble;
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
 * @param score relevance × the adjustment for decay and importance; higher is better
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
     * How a score came about: score = relevance × adjustment, relevance = text + meaning.
     *
     * @param textRank the item's rank in the text (BM25) search, from 1; empty when not found by text
     * @param textScore its best chunk's BM25 score (stemmed words, title, words as written, phrases)
     * @param vectorRank its rank in the vector (HNSW) search, from 1; empty when not found by meaning
     * @param similarity its best chunk's cosine similarity to the query
     * @param text the text search's part of the relevance
     * @param meaning the vector search's part of the relevance
     * @param relevance the two ranks fused (weighted reciprocal rank fusion), 0 to 1: 1 when first in
     *     every search that could find it
     * @param decay 0 to 1: halves with every half-life of the item's kind since it was stored or last
     *     used by a step
     * @param importance the item's importance, 0 to 1
     * @param adjustment what decay and importance multiply the relevance by: close to 1, so that they
     *     reorder near ties but never bury a strong match
     * @param explanation the same in words
     */
    public record Why(
            OptionalInt textRank,
            OptionalDouble textScore,
            OptionalInt vectorRank,
            OptionalDouble similarity,
            double text,
            double meaning,
            double relevance,
            double decay,
            double importance,
            double adjustment,
            String explanation) {

        /** A why with ranks only: relevance, decay and importance given, the parts unknown. */
        public Why(
                OptionalInt textRank,
                OptionalInt vectorRank,
                double relevance,
                double decay,
                double importance,
                String explanation) {
            this(
                    textRank,
                    OptionalDouble.empty(),
                    vectorRank,
                    OptionalDouble.empty(),
                    textRank.isPresent() ? relevance : 0,
                    textRank.isPresent() ? 0 : relevance,
                    relevance,
                    decay,
                    importance,
                    decay * (0.5 + importance),
                    explanation);
        }
    }

    /** The item as provenance names it: {@code id@version}. */
    public String ref() {
        return id + "@" + version;
    }

    @Override
    public JsonNode metadata() {
        return metadata.deepCopy();
    }
}
