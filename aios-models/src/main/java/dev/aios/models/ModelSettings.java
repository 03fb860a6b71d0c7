package dev.aios.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.models.internal.SettingsReader;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How the model gateway is configured: the {@code models} section of {@code aios.yaml}, completed by
 * the conventional environment variables ({@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL}, {@code
 * ANTHROPIC_API_KEY}, {@code ANTHROPIC_BASE_URL}). Read one with {@link #read}; the format is in
 * this module's README.
 *
 * @param providers the providers by name, in the order configured
 * @param classes model classes ({@code small}, {@code large}, named ones) and the model each uses
 * @param prices prices by model name, on top of the built-in table of well-known models
 * @param budgets spending limits checked before every call
 * @param cacheTtl how long an answer stays in the response cache; zero turns the cache off
 * @param toolRounds the most model calls one request may take while the model calls tools
 */
public record ModelSettings(
        Map<String, Provider> providers,
        Map<String, Route> classes,
        Map<String, Price> prices,
        Budgets budgets,
        Duration cacheTtl,
        int toolRounds) {

    /** How long answers are cached when the settings do not say. */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofHours(24);

    public ModelSettings {
        providers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        classes = Map.copyOf(classes);
        prices = Map.copyOf(prices);
        Objects.requireNonNull(budgets, "budgets");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
        if (cacheTtl.isNegative()) {
            throw new IllegalArgumentException("the cache time to live must not be negative, was " + cacheTtl);
        }
        if (toolRounds < 1) {
            throw new IllegalArgumentException("toolRounds must be at least 1, was " + toolRounds);
        }
        for (var entry : classes.entrySet()) {
            if (!providers.containsKey(entry.getValue().provider())) {
                throw new IllegalArgumentException("model class '" + entry.getKey() + "' uses provider '"
                        + entry.getValue().provider() + "', which is not configured; configured providers: "
                        + providers.keySet());
            }
        }
    }

    /** No provider: prompt steps become operator tasks holding a draft. */
    public static ModelSettings none() {
        return new ModelSettings(Map.of(), Map.of(), Map.of(), Budgets.NONE, DEFAULT_CACHE_TTL, 5);
    }

    /**
     * Reads the {@code models} section of {@code aios.yaml} (an empty object when absent) and the
     * environment.
     *
     * @param environment looks up an environment variable; blank values count as unset
     * @throws IllegalArgumentException naming the setting that is wrong and what to write instead
     */
    public static ModelSettings read(JsonNode section, Function<String, Optional<String>> environment) {
        return SettingsReader.read(section, environment);
    }

    /** A copy with one more provider. */
    public ModelSettings withProvider(Provider provider) {
        var more = new LinkedHashMap<>(providers);
        more.put(provider.name(), provider);
        return new ModelSettings(more, classes, prices, budgets, cacheTtl, toolRounds);
    }

    /** A copy where {@code modelClass} uses {@code route}. */
    public ModelSettings withClass(String modelClass, Route route) {
        var more = new LinkedHashMap<>(classes);
        more.put(modelClass, route);
        return new ModelSettings(providers, more, prices, budgets, cacheTtl, toolRounds);
    }

    /** A copy with a price for {@code model}. */
    public ModelSettings withPrice(String model, Price price) {
        var more = new LinkedHashMap<>(prices);
        more.put(model, price);
        return new ModelSettings(providers, classes, more, budgets, cacheTtl, toolRounds);
    }

    /** A copy with these budgets. */
    public ModelSettings withBudgets(Budgets budgets) {
        return new ModelSettings(providers, classes, prices, budgets, cacheTtl, toolRounds);
    }

    /** A copy with another cache time to live (zero: no cache). */
    public ModelSettings withCacheTtl(Duration cacheTtl) {
        return new ModelSettings(providers, classes, prices, budgets, cacheTtl, toolRounds);
    }

    /** The wire format a provider speaks. */
    public enum Wire {
        /** OpenAI chat completions: OpenAI, and Ollama, vLLM, llama.cpp server, LM Studio by base URL. */
        OPENAI,
        /** Anthropic messages. */
        ANTHROPIC
    }

    /**
     * A model provider.
     *
     * @param name its name, used in model classes ({@code openai/gpt-4o-mini}) and as the connector of
     *     its calls (breaker and rate limit under {@code connectors:} in aios.yaml)
     * @param wire the wire format it speaks
     * @param baseUrl where it answers, e.g. {@code https://api.openai.com/v1}
     * @param apiKey the key sent with every request; never printed
     * @param timeout the longest one call may take before it counts as failed
     * @param local whether it runs on the operator's own machines ({@code local: true}): the privacy
     *     rules redact nothing from its prompts, and subjects restricted to local models may use it
     */
    public record Provider(String name, Wire wire, String baseUrl, String apiKey, Duration timeout, boolean local) {
        private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

        public Provider {
            Objects.requireNonNull(wire, "wire");
            Objects.requireNonNull(baseUrl, "baseUrl");
            Objects.requireNonNull(apiKey, "apiKey");
            Objects.requireNonNull(timeout, "timeout");
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "provider name '" + name + "' must be lower-case letters, digits and dashes, e.g. 'openai'");
            }
            if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
                throw new IllegalArgumentException(
                        "provider '" + name + "': baseUrl must be an http(s) URL, was '" + baseUrl + "'");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("provider '" + name + "': timeout must be positive");
            }
        }

        /** A provider that is not local. */
        public Provider(String name, Wire wire, String baseUrl, String apiKey, Duration timeout) {
            this(name, wire, baseUrl, apiKey, timeout, false);
        }

        /** A copy with another timeout. */
        public Provider withTimeout(Duration timeout) {
            return new Provider(name, wire, baseUrl, apiKey, timeout, local);
        }

        /** A copy marked local (or not). */
        public Provider withLocal(boolean local) {
            return new Provider(name, wire, baseUrl, apiKey, timeout, local);
        }

        @Override
        public String toString() {
            return "Provider[" + name + ", " + wire + ", " + baseUrl + ", timeout " + timeout + (local ? ", local" : "")
                    + "]";
        }
    }

    /**
     * The model a class uses.
     *
     * @param provider the provider's name
     * @param model the provider's model name, e.g. {@code gpt-4o-mini}
     */
    public record Route(String provider, String model) {
        public Route {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(model, "model");
            if (model.isBlank()) {
                throw new IllegalArgumentException("a model class needs a model name");
            }
        }

        /**
         * Parses {@code PROVIDER/MODEL}.
         *
         * @throws IllegalArgumentException when it is not of that form
         */
        public static Route parse(String text) {
            int slash = text.indexOf('/');
            if (slash <= 0 || slash == text.length() - 1) {
                throw new IllegalArgumentException(
                        "'" + text + "' must be PROVIDER/MODEL, e.g. openai/gpt-4o-mini or anthropic/claude-haiku-4-5");
            }
            return new Route(text.substring(0, slash), text.substring(slash + 1));
        }

        @Override
        public String toString() {
            return provider + "/" + model;
        }
    }

    /**
     * What a model costs, in US dollars per million tokens.
     *
     * @param inputPerMillion per million tokens sent
     * @param outputPerMillion per million tokens received
     */
    public record Price(BigDecimal inputPerMillion, BigDecimal outputPerMillion) {
        public Price {
            Objects.requireNonNull(inputPerMillion, "inputPerMillion");
            Objects.requireNonNull(outputPerMillion, "outputPerMillion");
            if (inputPerMillion.signum() < 0 || outputPerMillion.signum() < 0) {
                throw new IllegalArgumentException("prices must not be negative");
            }
        }

        /** A price from plain numbers. */
        public static Price of(String inputPerMillion, String outputPerMillion) {
            return new Price(new BigDecimal(inputPerMillion), new BigDecimal(outputPerMillion));
        }
    }

    /**
     * Spending limits in US dollars, checked before every call against what the ledger holds.
     *
     * @param perRun the most one run may spend
     * @param perAgent the most one agent may spend in a day (UTC), unless {@code agents} says otherwise
     * @param perDay the most everything together may spend in a day (UTC)
     * @param agents per-day limits of single agents, by agent name
     */
    public record Budgets(
            Optional<BigDecimal> perRun,
            Optional<BigDecimal> perAgent,
            Optional<BigDecimal> perDay,
            Map<String, BigDecimal> agents) {

        /** No limits. */
        public static final Budgets NONE = new Budgets(Optional.empty(), Optional.empty(), Optional.empty(), Map.of());

        public Budgets {
            Objects.requireNonNull(perRun, "perRun");
            Objects.requireNonNull(perAgent, "perAgent");
            Objects.requireNonNull(perDay, "perDay");
            agents = Map.copyOf(agents);
        }

        /** A copy with a per-run limit. */
        public Budgets withPerRun(BigDecimal usd) {
            return new Budgets(Optional.of(usd), perAgent, perDay, agents);
        }

        /** A copy with a per-agent daily limit. */
        public Budgets withPerAgent(BigDecimal usd) {
            return new Budgets(perRun, Optional.of(usd), perDay, agents);
        }

        /** A copy with a daily limit for everything. */
        public Budgets withPerDay(BigDecimal usd) {
            return new Budgets(perRun, perAgent, Optional.of(usd), agents);
        }
    }
}
