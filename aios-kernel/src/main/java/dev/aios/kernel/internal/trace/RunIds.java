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

    /** The ids the span being started on this thread gets; a null trace id keeps the parent's. */
    private record Forced(String traceId, String spanId) {}

    private static final ThreadLocal<Forced> STARTING = new ThreadLocal<>();

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

    /**
     * The span id of the call that step {@code step} (iteration {@code iteration}) of {@code runId}
     * made to start a child run: a span under that step's, which the child's run span links to.
     */
    public static String callSpanId(String runId, String step, int iteration) {
        return HexFormat.of().formatHex(digest(runId + "\u0000call\u0000" + step + "\u0000" + iteration), 0, 8);
    }

    /** The context of the call span of step {@code step} of {@code runId}, in that run's trace. */
    public static SpanContext callContext(String runId, String step, int iteration) {
        return SpanContext.createFromRemoteParent(
                traceId(runId), callSpanId(runId, step, iteration), TraceFlags.getSampled(), TraceState.getDefault());
    }

    /** Runs {@code start}, in which a root span gets the ids of {@code runId}'s own span. */
    public static <T> T asRun(String runId, Supplier<T> start) {
        return forced(new Forced(traceId(runId), spanId(runId)), start);
    }

    /** Runs {@code start}, in which a span gets the id of the call span of step {@code step} of {@code runId}. */
    public static <T> T asCall(String runId, String step, int iteration, Supplier<T> start) {
        return forced(new Forced(null, callSpanId(runId, step, iteration)), start);
    }

    private static <T> T forced(Forced ids, Supplier<T> start) {
        STARTING.set(ids);
        try {
            return start.get();
        } finally {
            STARTING.remove();
        }
    }

    /**
     * A digest never fed, cloned for each use: looking one up went through the security providers
     * twice a step, and a thread-local one would not be reused by the virtual threads steps run on.
     */
    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static byte[] digest(String runId) {
        try {
            return ((MessageDigest) SHA_256.clone()).digest(("aios-run:" + runId).getBytes(StandardCharsets.UTF_8));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("this JVM's SHA-256 cannot be copied", e);
        }
    }

    private static final class Generator implements IdGenerator {
        private final IdGenerator random = IdGenerator.random();

        @Override
        public String generateSpanId() {
            var forced = STARTING.get();
            return forced == null ? random.generateSpanId() : forced.spanId();
        }

        @Override
        public String generateTraceId() {
            var forced = STARTING.get();
            return forced == null || forced.traceId() == null ? random.generateTraceId() : forced.traceId();
        }
    }
}
