package dev.aios.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.AgentStep;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.api.Playbook;
import dev.aios.api.Trigger;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The measured workload: a playbook of five agent steps, each calling a no-op agent that returns
 * its input, so that everything measured is the kernel's own cost.
 *
 * <p>The agent also tells the driver how a run goes: it notes when each step's agent is called
 * ({@link System#nanoTime()}), and {@link #lastStepReached} completes with those times once the
 * last step's agent was called, one commit before the run is durably completed.
 */
final class FiveStepPlaybook {
    static final String NAME = "bench-five-steps";
    static final String TRIGGER = "bench.requested";
    static final int STEPS = 5;

    /** What each step passes on: a customer and a note of a typical size. */
    record Note(String customer, String text) {}

    /** The no-op agent. */
    final class Echo implements Agent<Note, Note> {
        @Override
        public Contract<Note, Note> contract() {
            return Contract.of("bench-echo", "1.0.0", Note.class, Note.class)
                    .withDescription("Returns its input unchanged");
        }

        @Override
        public Note run(Note input, AgentContext context) {
            long now = System.nanoTime();
            var trace = trace(context.runId());
            int step = Integer.parseInt(context.stepId().substring(1));
            trace.calls[step - 1] = now;
            if (step == STEPS) {
                trace.done.complete(trace.calls.clone());
            }
            return input;
        }
    }

    /** A note of about a hundred characters: what a short agent output looks like. */
    private static final String TEXT = "Follow up on the proposal for the spring campaign; confirm scope, "
            + "budget and the first delivery date.";

    /** When each step's agent was called, and whether the last one was. */
    private record Trace(long[] calls, CompletableFuture<long[]> done) {}

    private final ConcurrentMap<String, Trace> traces = new ConcurrentHashMap<>();
    private final AtomicLong events = new AtomicLong();

    /** The agent to register with the kernel. */
    Agent<Note, Note> agent() {
        return new Echo();
    }

    /** The playbook: steps {@code s1} to {@code s5}, each feeding the next. */
    static Playbook playbook() {
        var builder = Playbook.builder(NAME)
                .description("Five no-op agent steps, for benchmarks")
                .trigger(Trigger.on(TRIGGER));
        builder.step(AgentStep.of("s1", "bench-echo")
                .withInput("customer", "event.subject")
                .withInput("text", "event.data.text"));
        for (int i = 2; i <= STEPS; i++) {
            String previous = "steps.s" + (i - 1);
            builder.step(AgentStep.of("s" + i, "bench-echo")
                    .withInput("customer", previous + ".customer")
                    .withInput("text", previous + ".text"));
        }
        return builder.build();
    }

    /** A new trigger event with a unique id. */
    Event trigger() {
        long n = events.incrementAndGet();
        var data = JsonNodeFactory.instance.objectNode().put("text", TEXT);
        return new Event("bench-" + n, TRIGGER, "customer-" + (n % 100), "bench", Instant.now(), data, "", "");
    }

    /**
     * Completes once run {@code runId} reached its last step, with the {@link System#nanoTime()} at
     * which each step's agent was called, in step order. The driver calls this right after sending
     * the event; the agent may get there first, so both sides create the trace on demand.
     */
    CompletableFuture<long[]> lastStepReached(String runId) {
        return trace(runId).done;
    }

    /** Forgets a run's trace once the driver has seen it. */
    void forget(String runId) {
        traces.remove(runId);
    }

    private Trace trace(String runId) {
        return traces.computeIfAbsent(runId, id -> new Trace(new long[STEPS], new CompletableFuture<>()));
    }
}
