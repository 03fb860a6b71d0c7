package dev.aios.memory.internal;

import dev.aios.memory.spi.Embedder;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The default embedder: the quantized all-MiniLM-L6-v2 model (384 dimensions) that ships inside a
 * LangChain4j jar, run in-process by ONNX Runtime on as many threads as there are cores.
 */
public final class InProcessEmbedder implements Embedder {
    /** The model's id in stored vectors. */
    public static final String MODEL = "in-process/all-minilm-l6-v2-q";

    private final ExecutorService threads;
    private final AllMiniLmL6V2QuantizedEmbeddingModel model;

    public InProcessEmbedder() {
        // The tokenizer's library (DJL) would otherwise call home over the network on first use.
        setIfAbsent("OPT_OUT_TRACKING", "true");
        setIfAbsent("ai.djl.offline", "true");
        this.threads = Executors.newFixedThreadPool(
                Runtime.getRuntime().availableProcessors(),
                Thread.ofPlatform().name("aios-memory-onnx-", 0).daemon().factory());
        this.model = new AllMiniLmL6V2QuantizedEmbeddingModel(threads);
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    @Override
    public String model() {
        return MODEL;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        var segments = texts.stream().map(TextSegment::from).toList();
        return model.embedAll(segments).content().stream()
                .map(e -> Vectors.unit(e.vector()))
                .toList();
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
