package dev.aios.models.internal;

import dev.aios.models.ModelSettings;
import dev.aios.models.ModelSettings.Provider;
import dev.aios.models.ModelSettings.Route;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The LangChain4j chat models behind the model classes, built once per provider and model. They are
 * built with {@code maxRetries(0)}: retries belong to the step's retry policy and the provider's
 * circuit breaker, which the kernel applies to every call.
 */
public final class Providers {
    private final ModelSettings settings;
    /** Made for the first model: building an HTTP client starts its selector thread and takes a while. */
    private java.net.http.HttpClient http;

    private final Map<Route, ChatModel> models = new ConcurrentHashMap<>();

    public Providers(ModelSettings settings) {
        this.settings = settings;
    }

    private synchronized java.net.http.HttpClient http() {
        if (http == null) {
            http = java.net.http.HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
        }
        return http;
    }

    /** The route of a model class, if one is configured. */
    public Optional<Route> route(String modelClass) {
        return Optional.ofNullable(settings.classes().get(modelClass));
    }

    /** Whether any provider is configured. */
    public boolean any() {
        return !settings.providers().isEmpty();
    }

    /** The configured providers' names. */
    public java.util.Set<String> names() {
        return settings.providers().keySet();
    }

    /** The provider a route goes to. */
    public Provider provider(Route route) {
        return settings.providers().get(route.provider());
    }

    /** The chat model of a route. */
    public ChatModel model(Route route) {
        return models.computeIfAbsent(route, this::build);
    }

    private ChatModel build(Route route) {
        var provider = provider(route);
        var httpClient = new ProviderHttp.Builder(http());
        return switch (provider.wire()) {
            case OPENAI ->
                OpenAiChatModel.builder()
                        .httpClientBuilder(httpClient)
                        .baseUrl(provider.baseUrl())
                        .apiKey(provider.apiKey())
                        .modelName(route.model())
                        .timeout(provider.timeout())
                        .maxRetries(0)
                        .build();
            case ANTHROPIC ->
                AnthropicChatModel.builder()
                        .httpClientBuilder(httpClient)
                        .baseUrl(provider.baseUrl())
                        .apiKey(provider.apiKey())
                        .modelName(route.model())
                        .timeout(provider.timeout())
                        .maxRetries(0)
                        .build();
        };
    }
}
