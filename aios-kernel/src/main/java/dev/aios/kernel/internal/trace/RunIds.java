package dev.aios.kernel.internal.trace;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.trace.IdGenerator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * The trace and span ids that follow from a run's id (the first 24 bytes of SHA-256 over it), and
 * an {@link IdGenerator} that hands them out while a run's own span is started.
 */
public final class RunIds {
    /** Random ids, except inside {@link #asRun}. */
    public static final IdGenerator GENERATOR = new Generator();

    private static final ThreadLocal<String> STARTING = new ThreadLocal<>();

    private RunIds() {}

    /** The trace id of {@code runId}. */
    public static String traceId(String runId) {
        return HexFormat.of().formatHex(digest(runId), 0, 16);
    }

    /** The span id of {@code runId}'s own span. */
    public static String spanId(String runId) {
        return HexFormat.of().formatHex(digest(runId), 16, 24);
    }

    /** The context of {@code runId}'s own span, sampled, as if it came from another process. */
    public static SpanContext context(String runId) {
        return SpanContext.createFromRemoteParent(
                traceId(runId), spanId(runId), TraceFlags.getSampled(), TraceState.getDefault());
    }

    /** Runs {@code start}, in which a root span gets the ids of {@code runId}'s own span. */
    public static <T> T asRun(String runId, Supplier<T> start) {
        STARTING.set(runId);
        try {
            return start.get();
        } finally {
            STARTING.remove();
        }
    }

    private static byte[] digest(String runId) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(("aios-run:" + runId).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static final class Generator implements IdGenerator {
        private final IdGenerator random = IdGenerator.random();

        @Override
        public String generateSpanId() {
            var run = STARTING.get();
            return run == null ? random.generateSpanId() : spanId(run);
        }

        @Override
        public String generateTraceId() {
            var run = STARTING.get();
            return run == null ? random.generateTraceId() : traceId(run);
        }
    }
}
