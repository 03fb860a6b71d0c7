package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Event;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What executing a work item produced; {@link Progress} turns it into journal entries. */
sealed interface Outcome {

    /** The step is done; the run goes to {@code next}. {@code notes} is its provenance. */
    record Completed(JsonNode input, JsonNode output, Optional<String> agent, String next, List<JsonNode> notes)
            implements Outcome {
        Completed(JsonNode input, JsonNode output, Optional<String> agent, String next) {
            this(input, output, agent, next, List.of());
        }
    }

    /**
     * The attempt failed; {@code retryable} says whether another attempt can help, {@code
     * errorClass} which error it was (for the retry policy's non-retryable list).
     */
    record Failed(JsonNode input, String error, boolean retryable, String errorClass) implements Outcome {
        Failed(JsonNode input, String error, boolean retryable) {
            this(input, error, retryable, "");
        }
    }

    /**
     * The attempt could not start now; try at {@code until}. {@code cause} names why in a word:
     * {@code breaker}, {@code rate-limit}, {@code later} (the outside system asked), {@code window}.
     */
    record Deferred(String cause, String reason, Instant until) implements Outcome {}

    /**
     * An agent's output waits for the operator, because the approval rule or the policy says so;
     * a {@code blocked} output can only be edited or rejected.
     */
    record Review(
            JsonNode input,
            JsonNode output,
            String agent,
            String rule,
            String explanation,
            List<JsonNode> notes,
            boolean blocked)
            implements Outcome {
        Review(JsonNode input, JsonNode output, String agent, String rule, String explanation, List<JsonNode> notes) {
            this(input, output, agent, rule, explanation, notes, false);
        }
    }

    /**
     * An agent could not finish and hands the operator a draft of its output; or the operator does
     * the step by hand ({@code editOnly}: the agent is off, or runs in the shadow and its output,
     * never committed, is {@code shadow}).
     */
    record Draft(
            JsonNode input,
            String title,
            String explanation,
            JsonNode draft,
            String agent,
            List<JsonNode> notes,
            boolean editOnly,
            Optional<JsonNode> shadow)
            implements Outcome {
        Draft(JsonNode input, String title, String explanation, JsonNode draft, String agent, List<JsonNode> notes) {
            this(input, title, explanation, draft, agent, notes, false, Optional.empty());
        }
    }

    /** An approval step asks the operator. */
    record Ask(JsonNode input, String title) implements Outcome {}

    /** A wait step sleeps until {@code until}. */
    record Sleep(JsonNode input, Instant until) implements Outcome {}

    /** An await step listens for {@code eventType} until {@code timeoutAt}. */
    record Listen(JsonNode input, String eventType, Instant timeoutAt) implements Outcome {}

    /**
     * An emit step publishes {@code event}, starting the playbooks {@code routing} names, then the
     * run goes to {@code next}.
     */
    record Publish(JsonNode input, Event event, EventIntake.Routing routing, String next) implements Outcome {}

    /** An await step gave up waiting; the run goes to {@code next}. */
    record TimedOut(String next) implements Outcome {}

    /** A parallel step starts its branches. */
    record Fork() implements Outcome {}

    /** A forEach step starts on the items of its list. */
    record Items(List<JsonNode> items) implements Outcome {}

    /** A conversation takes turn {@code turn} (from 0). */
    record Turn(int turn) implements Outcome {}

    /** A call step starts a child run of {@code playbook} with {@code input} as its trigger's data. */
    record Call(JsonNode input, String playbook, boolean waits) implements Outcome {}

    /** Undoing a call step undoes its child run {@code run}. */
    record UndoChild(String run) implements Outcome {}

    /** The run was no longer there or had ended; nothing to record. */
    record Nothing(String why) implements Outcome {}
}
