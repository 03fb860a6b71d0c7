package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * A model's answer to a {@link ModelRequest}, with what it cost.
 *
 * @param text the answer as the model wrote it
 * @param json the answer parsed and validated, when the request had an output schema
 * @param provider the provider that answered, e.g. {@code openai}
 * @param model the provider's model, e.g. {@code gpt-4o-mini}
 * @param inputTokens tokens sent, summed over every call this answer took (tool rounds, repair)
 * @param outputTokens tokens received, summed likewise
 * @param costUsd what it cost, in US dollars; zero for an answer from the cache
 * @param cached whether the answer came from the response cache
 * @param calls how many model calls the answer took
 */
public record ModelReply(
        String text,
        Optional<JsonNode> json,
        String provider,
        String model,
        long inputTokens,
        long outputTokens,
        BigDecimal costUsd,
        boolean cached,
        int calls) {

    public ModelReply {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(costUsd, "costUsd");
        json = json.map(JsonNode::deepCopy);
    }

    @Override
    public Optional<JsonNode> json() {
        return json.map(JsonNode::deepCopy);
    }
}
