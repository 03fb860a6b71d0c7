package dev.aios.models.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelSettings.Budgets;
import dev.aios.models.ModelSettings.Price;
import dev.aios.models.ModelSettings.Provider;
import dev.aios.models.ModelSettings.Route;
import dev.aios.models.ModelSettings.Wire;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Reads the {@code models} section of aios.yaml, completed by the environment. */
public final class SettingsReader {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private SettingsReader() {}

    /** Reads settings; see {@link ModelSettings#read}. */
    public static ModelSettings read(JsonNode section, Function<String, Optional<String>> environment) {
        Function<String, Optional<String>> env =
                name -> environment.apply(name).map(String::strip).filter(value -> !value.isEmpty());
        if (section == null || section.isMissingNode() || section.isNull()) {
            section = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!section.isObject()) {
            throw new IllegalArgumentException("models: must be a mapping with " + Keys.TOP);
        }
        Keys.check(section, "models", Keys.TOP);
        var providers = providers(section.path("providers"), env);
        var classes = classes(section.path("classes"), providers);
        var prices = prices(section.path("prices"));
        var budgets = budgets(section.path("budgets"));
        var cache = section.path("cache");
        Keys.check(cache, "models.cache", List.of("ttl"));
        Duration ttl = cache.has("ttl")
                ? duration(cache.path("ttl").asText(), "models.cache.ttl")
                : ModelSettings.DEFAULT_CACHE_TTL;
        int rounds = section.path("toolRounds").asInt(5);
        try {
            return new ModelSettings(providers, classes, prices, budgets, ttl, rounds);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("models: " + e.getMessage(), e);
        }
    }

    private static Map<String, Provider> providers(JsonNode node, Function<String, Optional<String>> env) {
        var providers = new LinkedHashMap<String, Provider>();
        for (var entry : node.properties()) {
            String where = "models.providers." + entry.getKey();
            var spec = entry.getValue();
            Keys.check(spec, where, List.of("wire", "baseUrl", "apiKey", "timeout", "local"));
            if (spec.has("local") && !spec.path("local").isBoolean()) {
                throw new IllegalArgumentException(where + ".local: true or false");
            }
            Wire wire = wire(spec.path("wire").asText(""), entry.getKey(), where);
            String prefix = wire == Wire.OPENAI ? "OPENAI" : "ANTHROPIC";
            // The conventional variables fill in what the provider named after them leaves out.
            boolean conventional = entry.getKey().equals(prefix.toLowerCase(Locale.ROOT));
            String baseUrl = text(spec, "baseUrl")
                    .or(() -> conventional ? env.apply(prefix + "_BASE_URL") : Optional.empty())
                    .orElse(defaultUrl(wire));
            String apiKey = text(spec, "apiKey")
                    .or(() -> conventional ? env.apply(prefix + "_API_KEY") : Optional.empty())
                    .orElse(wire == Wire.OPENAI ? "not-needed" : "");
            if (apiKey.isEmpty()) {
                throw new IllegalArgumentException(
                        where + ": needs an apiKey; set it there or in the environment as ANTHROPIC_API_KEY");
            }
            Duration timeout =
                    spec.has("timeout") ? duration(spec.path("timeout").asText(), where + ".timeout") : DEFAULT_TIMEOUT;
            try {
                providers.put(
                        entry.getKey(),
                        new Provider(
                                entry.getKey(),
                                wire,
                                baseUrl,
                                apiKey,
                                timeout,
                                spec.path("local").asBoolean(false)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        // Without a section of its own, a provider comes from its conventional variables alone.
        if (!providers.containsKey("openai")) {
            var key = env.apply("OPENAI_API_KEY");
            var url = env.apply("OPENAI_BASE_URL");
            if (key.isPresent() || url.isPresent()) {
                providers.put(
                        "openai",
                        new Provider(
                                "openai",
                                Wire.OPENAI,
                                url.orElse(defaultUrl(Wire.OPENAI)),
                                key.orElse("not-needed"),
                                DEFAULT_TIMEOUT));
            }
        }
        if (!providers.containsKey("anthropic")) {
            var key = env.apply("ANTHROPIC_API_KEY");
            if (key.isPresent()) {
                providers.put(
                        "anthropic",
                        new Provider(
                                "anthropic",
                                Wire.ANTHROPIC,
                                env.apply("ANTHROPIC_BASE_URL").orElse(defaultUrl(Wire.ANTHROPIC)),
                                key.get(),
                                DEFAULT_TIMEOUT));
            }
        }
        return providers;
    }

    private static Map<String, Route> classes(JsonNode node, Map<String, Provider> providers) {
        var classes = new HashMap<String, Route>();
        for (var entry : node.properties()) {
            String where = "models.classes." + entry.getKey();
            try {
                var route = Route.parse(entry.getValue().asText());
                if (!providers.containsKey(route.provider())) {
                    throw new IllegalArgumentException("provider '" + route.provider() + "' is not configured"
                            + (providers.isEmpty()
                                    ? "; add it under models.providers or set OPENAI_API_KEY / ANTHROPIC_API_KEY"
                                    : "; configured providers: " + providers.keySet()));
                }
                classes.put(entry.getKey(), route);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        // small and large default to the first provider's well-known models.
        providers.values().stream().findFirst().ifPresent(first -> {
            classes.putIfAbsent("small", new Route(first.name(), defaultModel(first.wire(), "small")));
            classes.putIfAbsent("large", new Route(first.name(), defaultModel(first.wire(), "large")));
        });
        return classes;
    }

    private static Map<String, Price> prices(JsonNode node) {
        var prices = new HashMap<String, Price>();
        for (var entry : node.properties()) {
            String where = "models.prices." + entry.getKey();
            Keys.check(entry.getValue(), where, List.of("input", "output"));
            prices.put(
                    entry.getKey(),
                    new Price(
                            usd(entry.getValue().path("input"), where + ".input"),
                            usd(entry.getValue().path("output"), where + ".output")));
        }
        return prices;
    }

    private static Budgets budgets(JsonNode node) {
        Keys.check(node, "models.budgets", List.of("perRun", "perAgent", "perDay", "agents"));
        var agents = new HashMap<String, BigDecimal>();
        node.path("agents")
                .properties()
                .forEach(entry ->
                        agents.put(entry.getKey(), usd(entry.getValue(), "models.budgets.agents." + entry.getKey())));
        return new Budgets(
                optionalUsd(node, "perRun"), optionalUsd(node, "perAgent"), optionalUsd(node, "perDay"), agents);
    }

    private static Optional<BigDecimal> optionalUsd(JsonNode node, String field) {
        return node.has(field) ? Optional.of(usd(node.path(field), "models.budgets." + field)) : Optional.empty();
    }

    private static BigDecimal usd(JsonNode node, String where) {
        if (!node.isNumber() && !node.isTextual()) {
            throw new IllegalArgumentException(where + ": must be an amount in US dollars, e.g. 0.50");
        }
        try {
            var amount = new BigDecimal(node.asText().strip().replace("$", ""));
            if (amount.signum() < 0) {
                throw new IllegalArgumentException(where + ": must not be negative, was " + amount);
            }
            return amount;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    where + ": must be an amount in US dollars, e.g. 0.50, was '" + node.asText() + "'", e);
        }
    }

    private static Wire wire(String text, String name, String where) {
        String wire = text.isEmpty() ? name : text;
        return switch (wire.toLowerCase(Locale.ROOT)) {
            case "openai" -> Wire.OPENAI;
            case "anthropic" -> Wire.ANTHROPIC;
            default ->
                throw new IllegalArgumentException(where + ": "
                        + (text.isEmpty() ? "say which wire format it speaks" : "unknown wire '" + text + "'")
                        + ": wire: openai (OpenAI, Ollama, vLLM, llama.cpp, LM Studio) or wire: anthropic");
        };
    }

    static String defaultUrl(Wire wire) {
        return switch (wire) {
            case OPENAI -> "https://api.openai.com/v1";
            case ANTHROPIC -> "https://api.anthropic.com/v1";
        };
    }

    static String defaultModel(Wire wire, String size) {
        return switch (wire) {
            case OPENAI -> size.equals("small") ? "gpt-4o-mini" : "gpt-4o";
            case ANTHROPIC -> size.equals("small") ? "claude-haiku-4-5" : "claude-sonnet-4-5";
        };
    }

    private static Optional<String> text(JsonNode node, String field) {
        return node.hasNonNull(field) && !node.path(field).asText().isBlank()
                ? Optional.of(node.path(field).asText().strip())
                : Optional.empty();
    }

    /** A duration written as {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, {@code 0} or ISO-8601. */
    static Duration duration(String text, String where) {
        return dev.aios.api.Durations.parse(text, where);
    }

    /** The keys each mapping allows, so that a misspelt setting is an error rather than ignored. */
    private static final class Keys {
        static final List<String> TOP = List.of("providers", "classes", "prices", "budgets", "cache", "toolRounds");

        static void check(JsonNode node, String where, List<String> allowed) {
            if (node.isMissingNode() || node.isNull()) {
                return;
            }
            if (!node.isObject()) {
                throw new IllegalArgumentException(where + ": must be a mapping");
            }
            Set<String> known = Set.copyOf(allowed);
            node.fieldNames().forEachRemaining(name -> {
                if (!known.contains(name)) {
                    throw new IllegalArgumentException(
                            where + ": unknown setting '" + name + "'; the settings are " + String.join(", ", allowed));
                }
            });
        }
    }
}
