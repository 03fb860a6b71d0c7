package dev.aios.memory.spi;

import java.util.List;

/**
 * Turns texts into vectors for the semantic tier. Memory ships two: the in-process
 * all-MiniLM-L6-v2 model (the default, no network, no key) and any OpenAI-compatible embeddings
 * endpoint.
 */
public interface Embedder extends AutoCloseable {

    /**
     * The model and its settings, e.g. {@code in-process/all-minilm-l6-v2-q}. Vectors stored under
     * another model are embedded again, and the index rebuilt, when the model changes.
     */
    String model();

    /**
     * One unit-length vector per text, in order.
     *
     * @throws RuntimeException when the model cannot embed now; memory tries again later
     */
    List<float[]> embed(List<String> texts);

    /** Releases the model. */
    @Override
    default void close() {}
}
