package dev.aios.memory.internal;

import dev.aios.memory.MemorySettings.Endpoint;
import dev.aios.memory.spi.Embedder;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import java.time.Duration;
import java.util.List;

/** Embeds through an OpenAI-compatible embeddings endpoint (OpenAI, Ollama, vLLM, llama.cpp). */
final class OpenAiEmbedder implements Embedder {
    private final Endpoint endpoint;
    private final OpenAiEmbeddingModel model;

    OpenAiEmbedder(Endpoint endpoint) {
        this.endpoint = endpoint;
        this.model = OpenAiEmbeddingModel.builder()
                .baseUrl(endpoint.baseUrl().toString())
                .apiKey(endpoint.apiKey().isEmpty() ? "none" : endpoint.apiKey())
                .modelName(endpoint.model())
                .timeout(Duration.ofSeconds(30))
                .maxRetries(1)
                .build();
    }

    @Override
    public String model() {
        return "openai/" + endpoint.baseUrl() + "/" + endpoint.model();
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        var segments = texts.stream().map(TextSegment::from).toList();
        return model.embedAll(segments).content().stream()
                .map(e -> Vectors.unit(e.vector()))
                .toList();
    }
}
