package dev.aios.kernel;

import dev.aios.kernel.internal.trace.RunIds;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.trace.IdGenerator;

/**
 * How runs appear in OpenTelemetry: each run is one trace whose id follows from the run's id. A
 * run's spans therefore form one tree although its steps may run days apart and in different
 * processes, and a trace id seen in a log line or a tracing backend names its run ({@code aios run
 * show} prints it), and back.
 *
 * <p>The tree: the span {@code run PLAYBOOK}, written when the run ends, from when it started;
 * under it a span {@code step STEP} per attempt of a step (or compensation, timer, join); under a
 * step the spans its agent makes, such as {@code chat MODEL} for a model call; and under those
 * {@code call CONNECTOR} for each call through a connector. A run started by a call step is a trace
 * of its own: the step's span has a span {@code call PLAYBOOK} under it, whose id follows from the
 * parent run, the step and its iteration, and the child's run span links to it (and names the parent
 * in {@code aios.parent.run.id}). The run span's id also follows from the
 * run's id, so that steps recorded before it name it as their parent; for that the tracer provider
 * of the SDK takes {@link #idGenerator()}:
 *
 * <pre>{@code
 * var tracing = SdkTracerProvider.builder()
 *         .setIdGenerator(RunTraces.idGenerator())
 *         .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
 *         .build();
 * Kernel.builder().openTelemetry(OpenTelemetrySdk.builder().setTracerProvider(tracing).build());
 * }</pre>
 */
public final class RunTraces {
    private RunTraces() {}

    /** The trace id of run {@code runId}: 32 lower-case hex digits. */
    public static String traceId(String runId) {
        return RunIds.traceId(runId);
    }

    /** The span id of run {@code runId}'s own span: 16 lower-case hex digits. */
    public static String spanId(String runId) {
        return RunIds.spanId(runId);
    }

    /** The span context of run {@code runId}'s own span, the parent of its steps' spans. */
    public static SpanContext context(String runId) {
        return RunIds.context(runId);
    }

    /**
     * Ids as the SDK makes them (random), except for a run's own span, which gets the ids that
     * follow from its run's id.
     */
    public static IdGenerator idGenerator() {
        return RunIds.GENERATOR;
    }
}
