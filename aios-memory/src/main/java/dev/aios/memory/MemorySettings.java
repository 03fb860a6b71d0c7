package dev.aios.memory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.MemoryKind;
import dev.aios.memory.internal.SettingsReader;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How memory is set up: the {@code memory} section of {@code aios.yaml}.
 *
 * <pre>{@code
 * memory:
 *   embeddings: { provider: in-process }      # or openai (baseUrl, model, apiKey | apiKeyEnv), or none
 *   retention:
 *     every: 1h                               # how often the retention job runs
 *     legalHolds: [acme]                      # subjects retention and forgetting leave alone
 *     journal: { halfLife: 7d, compactAfter: 30d }
 *     email: { halfLife: 60d, ttl: 2y }
 *   compaction:
 *     model: { baseUrl: http://localhost:11434/v1, model: llama3.2 }   # else extractive summaries
 *   limits: { maxItemChars: 500000, chunkChars: 1000 }
 * }</pre>
 *
 * @param embeddings the embedding model
 * @param retention the rules for each kind
 * @param legalHolds subjects under legal hold: nothing about them expires, is compacted or forgotten
 * @param retentionEvery how often the retention job runs
 * @param compactionModel the model that writes compaction summaries; extractive when empty
 * @param limits sizes memory keeps to
 * @param ranking how recall ranks (see {@link Ranking}; the defaults are evaluated)
 */
public record MemorySettings(
        Embeddings embeddings,
        Map<MemoryKind, Retention> retention,
        Set<String> legalHolds,
        Duration retentionEvery,
        Optional<Endpoint> compactionModel,
        Limits limits,
        Ranking ranking) {

    public MemorySettings {
        Objects.requireNonNull(embeddings, "embeddings");
        var complete = new EnumMap<MemoryKind, Retention>(MemoryKind.class);
        for (var kind : MemoryKind.values()) {
            complete.put(kind, retention.getOrDefault(kind, Retention.defaultFor(kind)));
        }
        retention = Map.copyOf(complete);
        legalHolds = Set.copyOf(legalHolds);
        if (retentionEvery.isNegative() || retentionEvery.isZero()) {
            throw new IllegalArgumentException("retention.every must be positive, was " + retentionEvery);
        }
        Objects.requireNonNull(compactionModel, "compactionModel");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(ranking, "ranking");
    }

    /** Settings with the default ranking. */
    public MemorySettings(
            Embeddings embeddings,
            Map<MemoryKind, Retention> retention,
            Set<String> legalHolds,
            Duration retentionEvery,
            Optional<Endpoint> compactionModel,
            Limits limits) {
        this(embeddings, retention, legalHolds, retentionEvery, compactionModel, limits, Ranking.DEFAULT);
    }

    /** The defaults: in-process embeddings, the default rules for every kind, hourly retention. */
    public static MemorySettings defaults() {
        return new MemorySettings(
                new Embeddings.InProcess(),
                Map.of(),
                Set.of(),
                Duration.ofHours(1),
                Optional.empty(),
                Limits.DEFAULT,
                Ranking.DEFAULT);
    }

    /**
     * Reads the {@code memory} section of the settings file.
     *
     * @throws IllegalArgumentException naming the setting that is wrong and what it should be
     */
    public static MemorySettings from(JsonNode section) {
        return SettingsReader.read(section);
    }

    /** These settings with {@code embeddings}. */
    public MemorySettings withEmbeddings(Embeddings embeddings) {
        return new MemorySettings(embeddings, retention, legalHolds, retentionEvery, compactionModel, limits, ranking);
    }

    /** These settings with {@code rule} for {@code kind}. */
    public MemorySettings withRetention(MemoryKind kind, Retention rule) {
        var changed = new EnumMap<>(retention);
        changed.put(kind, rule);
        return new MemorySettings(embeddings, changed, legalHolds, retentionEvery, compactionModel, limits, ranking);
    }

    /** These settings with {@code subjects} under legal hold. */
    public MemorySettings withLegalHolds(Set<String> subjects) {
        return new MemorySettings(embeddings, retention, subjects, retentionEvery, compactionModel, limits, ranking);
    }

    /** These settings with {@code ranking}. */
    public MemorySettings withRanking(Ranking ranking) {
        return new MemorySettings(embeddings, retention, legalHolds, retentionEvery, compactionModel, limits, ranking);
    }

    /** These settings with {@code limits}. */
    public MemorySettings withLimits(Limits limits) {
        return new MemorySettings(embeddings, retention, legalHolds, retentionEvery, compactionModel, limits, ranking);
    }

    /** Which embedding model the semantic tier uses. */
    public sealed interface Embeddings {
        /** The quantized all-MiniLM-L6-v2 model shipped in a LangChain4j jar: no network, no key. */
        record InProcess() implements Embeddings {}

        /** An OpenAI-compatible embeddings endpoint (OpenAI, Ollama, vLLM, llama.cpp). */
        record OpenAi(Endpoint endpoint) implements Embeddings {}

        /** No embeddings: recall finds items by text only. */
        record None() implements Embeddings {}
    }

    /**
     * An OpenAI-compatible endpoint.
     *
     * @param baseUrl e.g. {@code http://localhost:11434/v1}
     * @param model the model's name there
     * @param apiKey the key, empty for endpoints without one
     */
    public record Endpoint(URI baseUrl, String model, String apiKey) {
        public Endpoint {
            Objects.requireNonNull(baseUrl, "baseUrl");
            if (model.isBlank()) {
                throw new IllegalArgumentException("name the model to use at " + baseUrl);
            }
            Objects.requireNonNull(apiKey, "apiKey");
        }

        @Override
        public String toString() {
            return "Endpoint[" + baseUrl + ", " + model + "]";
        }
    }

    /**
     * The retention rules of one kind.
     *
     * @param ttl items older than this are removed; empty to keep them
     * @param halfLife the score of an item halves with every half-life since it was stored or last
     *     used; empty for no decay
     * @param compactAfter episodic items older than this are merged into one summary per subject and
     *     day; empty for no compaction (only events and journal entries are compacted)
     */
    public record Retention(Optional<Duration> ttl, Optional<Duration> halfLife, Optional<Duration> compactAfter) {
        public Retention {
            positive("ttl", ttl);
            positive("halfLife", halfLife);
            positive("compactAfter", compactAfter);
        }

        private static void positive(String name, Optional<Duration> duration) {
            if (duration.isPresent()
                    && (duration.get().isNegative() || duration.get().isZero())) {
                throw new IllegalArgumentException(name + " must be positive, was " + duration.get());
            }
        }

        /** The rules of {@code kind} unless configured otherwise. */
        public static Retention defaultFor(MemoryKind kind) {
            return switch (kind) {
                case EVENT -> new Retention(Optional.empty(), days(30), days(90));
                case JOURNAL -> new Retention(Optional.empty(), days(7), days(30));
                case SUMMARY -> new Retention(Optional.empty(), days(180), Optional.empty());
                case NOTE -> new Retention(Optional.empty(), days(180), Optional.empty());
                case EMAIL -> new Retention(Optional.empty(), days(60), Optional.empty());
                case DOCUMENT -> new Retention(Optional.empty(), days(365), Optional.empty());
                case OUTPUT -> new Retention(Optional.empty(), days(30), Optional.empty());
                case KNOWLEDGE -> new Retention(Optional.empty(), Optional.empty(), Optional.empty());
            };
        }

        private static Optional<Duration> days(long days) {
            return Optional.of(Duration.ofDays(days));
        }
    }

    /**
     * Sizes memory keeps to.
     *
     * @param maxItemChars the longest text one item may have; longer ones are refused
     * @param chunkChars the target size of a chunk; a chunk ends at a paragraph or sentence boundary
     *     near it, and is never longer than 1.5 times it
     * @param episodicChars the longest text kept of one event or journal entry
     * @param maxWaiting how many chunks may wait to be embedded before storing slows down to let
     *     embedding catch up
     */
    public record Limits(int maxItemChars, int chunkChars, int episodicChars, int maxWaiting) {
        /** 500,000 characters an item, chunks of about 1,000, 8,000 an episodic item, 20,000 waiting. */
        public static final Limits DEFAULT = new Limits(500_000, 1_000, 8_000, 20_000);

        public Limits {
            if (chunkChars < 100 || chunkChars > 10_000) {
                throw new IllegalArgumentException("limits.chunkChars must be between 100 and 10000");
            }
            if (maxItemChars < chunkChars || maxItemChars > 10_000_000) {
                throw new IllegalArgumentException("limits.maxItemChars must be between chunkChars and 10000000");
            }
            if (episodicChars < 100) {
                throw new IllegalArgumentException("limits.episodicChars must be at least 100");
            }
            if (maxWaiting < 1) {
                throw new IllegalArgumentException("limits.maxWaiting must be at least 1");
            }
        }
    }
}
