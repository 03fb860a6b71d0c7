package dev.aios.memory.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.MemoryKind;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.MemorySettings.Embeddings;
import dev.aios.memory.MemorySettings.Endpoint;
import dev.aios.memory.MemorySettings.Limits;
import dev.aios.memory.MemorySettings.Retention;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Reads the {@code memory} section of the settings file, naming the setting in every error. */
public final class SettingsReader {

    private SettingsReader() {}

    public static MemorySettings read(JsonNode section) {
        if (section == null || section.isMissingNode() || section.isNull()) {
            return MemorySettings.defaults();
        }
        object(section, "memory", "embeddings", "retention", "compaction", "limits");
        var settings = MemorySettings.defaults().withEmbeddings(embeddings(section.path("embeddings")));
        var retention = section.path("retention");
        var rules = new EnumMap<MemoryKind, Retention>(MemoryKind.class);
        var holds = new HashSet<String>();
        var every = Duration.ofHours(1);
        if (!retention.isMissingNode()) {
            var keys = new ArrayList<>(List.of("every", "legalHolds"));
            Arrays.stream(MemoryKind.values()).map(MemoryKind::wire).forEach(keys::add);
            object(retention, "memory.retention", keys.toArray(String[]::new));
            if (retention.has("every")) {
                every = duration(retention.get("every"), "memory.retention.every");
            }
            retention.path("legalHolds").forEach(subject -> holds.add(subject.asText()));
            for (var kind : MemoryKind.values()) {
                if (retention.has(kind.wire())) {
                    rules.put(kind, rule(kind, retention.get(kind.wire())));
                }
            }
        }
        Optional<Endpoint> compaction = Optional.empty();
        var model = section.path("compaction").path("model");
        if (!section.path("compaction").isMissingNode()) {
            object(section.path("compaction"), "memory.compaction", "model");
        }
        if (!model.isMissingNode()) {
            compaction = Optional.of(endpoint(model, "memory.compaction.model"));
        }
        var limits = Limits.DEFAULT;
        var limitNode = section.path("limits");
        if (!limitNode.isMissingNode()) {
            object(limitNode, "memory.limits", "maxItemChars", "chunkChars", "episodicChars", "maxWaiting");
            try {
                limits = new Limits(
                        limitNode.path("maxItemChars").asInt(limits.maxItemChars()),
                        limitNode.path("chunkChars").asInt(limits.chunkChars()),
                        limitNode.path("episodicChars").asInt(limits.episodicChars()),
                        limitNode.path("maxWaiting").asInt(limits.maxWaiting()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("memory." + e.getMessage(), e);
            }
        }
        return new MemorySettings(
                settings.embeddings(), rules, holds, positive(every, "memory.retention.every"), compaction, limits);
    }

    private static Embeddings embeddings(JsonNode node) {
        if (node.isMissingNode()) {
            return new Embeddings.InProcess();
        }
        object(node, "memory.embeddings", "provider", "baseUrl", "model", "apiKey", "apiKeyEnv");
        var provider = node.path("provider").asText("in-process");
        return switch (provider) {
            case "in-process" -> new Embeddings.InProcess();
            case "none" -> new Embeddings.None();
            case "openai" -> new Embeddings.OpenAi(endpoint(node, "memory.embeddings"));
            default ->
                throw new IllegalArgumentException(
                        "memory.embeddings.provider must be in-process, openai or none, was '" + provider + "'");
        };
    }

    private static Endpoint endpoint(JsonNode node, String where) {
        object(node, where, "provider", "baseUrl", "model", "apiKey", "apiKeyEnv");
        var base = node.path("baseUrl").asText("https://api.openai.com/v1");
        URI uri;
        try {
            uri = URI.create(base);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ".baseUrl is not a URL: '" + base + "'", e);
        }
        if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) {
            throw new IllegalArgumentException(where + ".baseUrl must be an http(s) URL, was '" + base + "'");
        }
        var model = node.path("model").asText("");
        if (model.isBlank()) {
            throw new IllegalArgumentException(where + ".model: name the model to use, e.g. text-embedding-3-small");
        }
        var key = node.path("apiKey").asText("");
        if (node.has("apiKeyEnv")) {
            var variable = node.get("apiKeyEnv").asText();
            key = Optional.ofNullable(System.getenv(variable))
                    .orElseThrow(() -> new IllegalArgumentException(
                            where + ".apiKeyEnv names " + variable + ", which is not set in the environment"));
        }
        return new Endpoint(uri, model, key);
    }

    private static Retention rule(MemoryKind kind, JsonNode node) {
        String where = "memory.retention." + kind.wire();
        object(node, where, "ttl", "halfLife", "compactAfter");
        Function<String, Optional<Duration>> read =
                name -> node.has(name) && !"none".equals(node.get(name).asText())
                        ? Optional.of(positive(duration(node.get(name), where + "." + name), where + "." + name))
                        : Optional.empty();
        var defaults = Retention.defaultFor(kind);
        var halfLife = node.has("halfLife") ? read.apply("halfLife") : defaults.halfLife();
        var compact = node.has("compactAfter") ? read.apply("compactAfter") : defaults.compactAfter();
        if (compact.isPresent() && kind != MemoryKind.EVENT && kind != MemoryKind.JOURNAL) {
            throw new IllegalArgumentException(
                    where + ".compactAfter: only event and journal items are compacted; remove it or use ttl");
        }
        return new Retention(node.has("ttl") ? read.apply("ttl") : defaults.ttl(), halfLife, compact);
    }

    /** A duration written as {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}, {@code 2w}, {@code 1y} or ISO-8601. */
    public static Duration duration(JsonNode node, String where) {
        return dev.aios.api.Durations.parse(node.asText(""))
                .orElseThrow(() -> new IllegalArgumentException(
                        where + ": '" + node.asText() + "' is not a duration; write e.g. 12h, 30d, 1y or none"));
    }

    private static Duration positive(Duration duration, String where) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(where + " must be positive, was " + duration);
        }
        return duration;
    }

    private static void object(JsonNode node, String where, String... keys) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " must be a mapping with " + String.join(", ", keys));
        }
        Set<String> allowed = Set.of(keys);
        node.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException(
                        where + ": unknown setting '" + name + "'; the settings are " + String.join(", ", keys));
            }
        });
    }
}
