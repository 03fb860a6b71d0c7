package dev.aios.memory;

import dev.aios.api.MemoryKind;
import java.util.Map;

/**
 * How big memory is and what it is doing.
 *
 * @param tiers items, chunks and bytes of text per tier (the knowledge tier counts records)
 * @param kinds items per kind
 * @param knowledgeVersions every version of every knowledge record
 * @param index what the search index holds
 * @param embedding the embedding model and its queue
 * @param nextRetention what the next retention job will remove
 */
public record MemoryStats(
        Map<MemoryKind.Tier, Tier> tiers,
        Map<MemoryKind, Long> kinds,
        long knowledgeVersions,
        Index index,
        Embedding embedding,
        RetentionPlan nextRetention) {

    public MemoryStats {
        tiers = Map.copyOf(tiers);
        kinds = Map.copyOf(kinds);
    }

    /**
     * One tier's size.
     *
     * @param items items (records, for knowledge)
     * @param chunks their chunks
     * @param bytes their text in UTF-8
     */
    public record Tier(long items, long chunks, long bytes) {}

    /**
     * The search index.
     *
     * @param chunks chunks it holds
     * @param bytes its size on disk
     * @param directory where it lives; delete it and it is rebuilt on the next start
     * @param purging whether the documents of a forgotten subject are still being rewritten away
     *     from disk (searches no longer find them)
     */
    public record Index(long chunks, long bytes, String directory, boolean purging) {}

    /**
     * The embedding model.
     *
     * @param model its id, {@code none} when not configured
     * @param waiting chunks waiting to be embedded (found by text meanwhile)
     * @param embedded chunks embedded since start
     * @param lastFailure why the last batch failed, "" when it did not
     */
    public record Embedding(String model, long waiting, long embedded, String lastFailure) {}
}
