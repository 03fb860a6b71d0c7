package dev.aios.kernel.internal.engine;

import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunView;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.trace.RunIds;
import dev.aios.kernel.spi.FeedItem;
import dev.aios.kernel.spi.FeedListener;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's spans (see {@link dev.aios.kernel.RunTraces}): one per step attempt, one per call
 * through a connector, and each run's own span when the journal records its end. Subjects are not
 * put on spans: traces leave the machine, and a subject names a person or company.
 */
final class KernelTraces implements FeedListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelTraces.class);

    /** The journal entries that end a run, with the status each ends it in. */
    private static final Map<String, RunStatus> ENDINGS = Map.of(
            "RunCompleted", RunStatus.COMPLETED,
            "RunFailed", RunStatus.FAILED,
            "RunCancelled", RunStatus.CANCELLED,
            "RunCompensated", RunStatus.COMPENSATED);

    private final Tracer tracer;
    private final boolean enabled;
    private final Function<String, Optional<RunView>> runs;
    private final ExecutorService writer;

    /**
     * @param openTelemetry where spans go; nothing is traced when it is the no-op one
     * @param runs the run of an id, read when its span is written
     */
    KernelTraces(OpenTelemetry openTelemetry, Function<String, Optional<RunView>> runs) {
        this.tracer = openTelemetry.getTracer("dev.aios.kernel");
        this.enabled = openTelemetry != OpenTelemetry.noop();
        this.runs = runs;
        this.writer = Executors.newSingleThreadExecutor(
                Thread.ofVirtual().name("aios-run-spans").factory());
    }

    /** The tracer extensions make their spans with. */
    Tracer tracer() {
        return tracer;
    }

    /** Whether spans are recorded at all. */
    boolean enabled() {
        return enabled;
    }

    /**
     * Starts the span of one attempt of a step (or compensation, timer, join) of {@code run}; with
     * tracing off, the invalid span, without working out the run's trace id or any attribute.
     */
    Span step(RunState run, Lease lease) {
        if (!enabled) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder("step " + lease.step())
                .setParent(Context.root().with(Span.wrap(RunIds.context(run.id))))
                .setAttribute("aios.run.id", run.id)
                .setAttribute("aios.playbook", run.playbook)
                .setAttribute("aios.playbook.version", run.version)
                .setAttribute("aios.step.id", lease.step())
                .setAttribute("aios.step.iteration", lease.iteration())
                .setAttribute("aios.step.attempt", lease.attempt())
                .setAttribute("aios.work.kind", String.valueOf(lease.kind()))
                .startSpan();
    }

    /** Records on the current step span how the attempt ended. */
    static void ended(Outcome outcome) {
        var span = Span.current();
        span.setAttribute("aios.step.outcome", KernelMeters.outcomeOf(outcome));
        if (outcome instanceof Outcome.Failed failed) {
            span.setStatus(StatusCode.ERROR, failed.error());
        }
    }

    /**
     * Marks, under the current step span, that the step starts a child run of {@code playbook}: a
     * span whose id follows from the run, step and iteration, so that the child's run span, written
     * when the child ends (perhaps in another process), links to it.
     */
    void called(String runId, Lease lease, String playbook) {
        if (!enabled) {
            return;
        }
        RunIds.asCall(runId, lease.step(), lease.iteration(), () -> tracer.spanBuilder("call " + playbook)
                        .setAttribute("aios.run.id", runId)
                        .setAttribute("aios.step.id", lease.step())
                        .setAttribute("aios.step.iteration", lease.iteration())
                        .setAttribute("aios.child.playbook", playbook)
                        .startSpan())
                .end();
    }

    /** Starts the span of a call through {@code connector}, under the current span. */
    Span connectorCall(String connector) {
        return tracer.spanBuilder("call " + connector)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("aios.connector", connector)
                .startSpan();
    }

    @Override
    public void accepted(List<FeedItem> items) {
        for (var item : items) {
            var status = item.source().equals("journal") ? ENDINGS.get(item.type()) : null;
            if (status != null) {
                try {
                    writer.execute(() -> writeRun(item, status));
                } catch (RejectedExecutionException closing) {
                    // the kernel is closing; the run's span is not written
                }
            }
        }
    }

    private void writeRun(FeedItem ending, RunStatus status) {
        try {
            var run = runs.apply(ending.runId());
            if (run.isEmpty()) {
                return;
            }
            var view = run.get();
            var builder = tracer.spanBuilder("run " + view.playbook())
                    .setNoParent()
                    .setStartTimestamp(view.createdAt())
                    .setAttribute("aios.run.id", view.id())
                    .setAttribute("aios.playbook", view.playbook())
                    .setAttribute("aios.playbook.version", view.version())
                    .setAttribute("aios.run.status", status.wire());
            // A child run is a trace of its own, linked to the call its parent's step made.
            view.parent().ifPresent(parent -> builder.setAttribute("aios.parent.run.id", parent.run())
                    .setAttribute("aios.parent.step.id", parent.step())
                    .addLink(RunIds.callContext(parent.run(), parent.step(), parent.iteration())));
            var span = RunIds.asRun(view.id(), builder::startSpan);
            if (status == RunStatus.FAILED) {
                span.setStatus(StatusCode.ERROR, view.error().orElse("failed"));
            }
            span.end(ending.at());
        } catch (RuntimeException e) {
            LOG.warn("the span of run {} could not be written: {}", ending.runId(), e.toString());
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
