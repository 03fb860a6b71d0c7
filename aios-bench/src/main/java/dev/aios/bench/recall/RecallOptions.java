package dev.aios.bench.recall;

import dev.aios.memory.MemorySettings;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How the recall evaluation runs.
 *
 * @param cache where the corpora's npm tarballs and the stored texts' vectors are kept between runs
 * @param workDirectory where the temporary data directories go
 * @param limit the most items taken from each corpus
 * @param perSet the most queries per set
 * @param warmup queries per set and system run before measuring
 * @param settings the memory settings the hybrid recall runs with
 * @param quick whether this is a smoke run whose figures mean little
 * @param variants other rankings to evaluate beside the default one, by name (for tuning)
 * @param showMisses whether to log the queries the hybrid misses and a baseline finds
 */
public record RecallOptions(
        Path cache,
        Path workDirectory,
        int limit,
        int perSet,
        int warmup,
        MemorySettings settings,
        boolean quick,
        java.util.Map<String, dev.aios.memory.Ranking> variants,
        boolean showMisses) {

    public RecallOptions {
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(workDirectory, "workDirectory");
        Objects.requireNonNull(settings, "settings");
        variants = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(variants));
        if (limit < 10 || perSet < 1 || warmup < 0) {
            throw new IllegalArgumentException(
                    "the evaluation needs at least 10 items and 1 query per set, was " + limit + " and " + perSet);
        }
    }

    /** The full evaluation: every item of both corpora, 200 queries per set. */
    public static RecallOptions full(Path cache, Path workDirectory) {
        return new RecallOptions(
                cache,
                workDirectory,
                10_000,
                Queries.PER_SET,
                30,
                MemorySettings.defaults(),
                false,
                java.util.Map.of(),
                false);
    }

    /** A smoke run: 150 items of each corpus, 20 queries per set. */
    public static RecallOptions quick(Path cache, Path workDirectory) {
        return new RecallOptions(
                cache, workDirectory, 150, 20, 3, MemorySettings.defaults(), true, java.util.Map.of(), false);
    }

    /** A copy with {@code settings} for the hybrid recall. */
    public RecallOptions withSettings(MemorySettings settings) {
        return new RecallOptions(cache, workDirectory, limit, perSet, warmup, settings, quick, variants, showMisses);
    }
}
