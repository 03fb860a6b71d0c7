package dev.aios.memory.internal;

import dev.aios.memory.MemorySettings;
import dev.aios.memory.spi.Embedder;
import dev.aios.memory.spi.Summarizer;
import java.util.Optional;

/** Builds the embedder and summarizer that settings ask for. */
public final class Models {
    private Models() {}

    public static Optional<Embedder> embedder(MemorySettings.Embeddings embeddings) {
        return switch (embeddings) {
            case MemorySettings.Embeddings.InProcess e -> Optional.of(new InProcessEmbedder());
            case MemorySettings.Embeddings.OpenAi e -> Optional.of(new OpenAiEmbedder(e.endpoint()));
            case MemorySettings.Embeddings.None e -> Optional.empty();
        };
    }

    public static Summarizer summarizer(Optional<MemorySettings.Endpoint> model) {
        return model.<Summarizer>map(ModelSummarizer::new).orElseGet(ExtractiveSummarizer::new);
    }
}
