package dev.aios.kernel.internal.journal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything that can happen to a run. A run's state is the fold of its entries ({@code RunFold});
 * the derived tables are their projection ({@code Projector}).
 */
public sealed interface JournalEntry {

    /** The entry's type as stored: the record's simple name. */
    default String type() {
        return getClass().getSimpleName();
    }

    /** The entry types by stored name. */
    Map<String, Class<? extends JournalEntry>> TYPES = Map.ofEntries(
            Map.entry("RunStarted", RunStarted.class),
            Map.entry("StepScheduled", StepScheduled.class),
            Map.entry("StepStarted", StepStarted.class),
            Map.entry("StepCompleted", StepCompleted.class),
            Map.entry("StepFailed", StepFailed.class),
            Map.entry("StepRetried", StepRetried.class),
            Map.entry("TimerSet", TimerSet.class),
            Map.entry("AwaitStarted", AwaitStarted.class),
            Map.entry("AwaitTimedOut", AwaitTimedOut.class),
            Map.entry("TaskOpened", TaskOpened.class),
            Map.entry("TaskResolved", TaskResolved.class),
            Map.entry("TaskEscalated", TaskEscalated.class),
            Map.entry("EffectRecorded", EffectRecorded.class),
            Map.entry("StepNoted", StepNoted.class),
            Map.entry("StepDeferred", StepDeferred.class),
            Map.entry("CompensationStarted", CompensationStarted.class),
            Map.entry("CompensationScheduled", CompensationScheduled.class),
            Map.entry("CompensationCompleted", CompensationCompleted.class),
            Map.entry("CompensationFailed", CompensationFailed.class),
            Map.entry("RunCompensated", RunCompensated.class),
            Map.entry("RunCompleted", RunCompleted.class),
            Map.entry("RunFailed", RunFailed.class),
            Map.entry("RunCancelled", RunCancelled.class),
            Map.entry("BranchesStarted", BranchesStarted.class),
            Map.entry("BranchEnded", BranchEnded.class),
            Map.entry("BranchesUndoing", BranchesUndoing.class),
            Map.entry("ItemsListed", ItemsListed.class),
            Map.entry("IterationStarted", IterationStarted.class),
            Map.entry("IterationEnded", IterationEnded.class),
            Map.entry("JoinScheduled", JoinScheduled.class),
            Map.entry("RunCalled", RunCalled.class),
            Map.entry("ChildStarted", ChildStarted.class),
            Map.entry("ChildEnded", ChildEnded.class),
            Map.entry("ChildUndoing", ChildUndoing.class),
            Map.entry("TurnsStarted", TurnsStarted.class));

    /** A run began on a pinned playbook version, started by {@code trigger}. */
    record RunStarted(String playbook, String version, String subject, JsonNode trigger) implements JournalEntry {}

    /** A step became due at {@code visibleAt}. */
    record StepScheduled(String step, int iteration, String kind, Instant visibleAt) implements JournalEntry {}

    /** A worker began attempt {@code attempt} of a step. */
    record StepStarted(String step, int iteration, int attempt, String worker) implements JournalEntry {}

    /**
     * A step finished with {@code output}, stored in the run context as {@code steps.<step>}.
     *
     * @param agent {@code name@version} of the agent that produced it, for agent steps
     * @param next where the run goes next (a step id or {@code end})
     */
    record StepCompleted(
            String step, int iteration, JsonNode input, JsonNode output, Optional<String> agent, String next)
            implements JournalEntry {}

    /** An attempt failed; it is tried again at {@code retryAt}, or, when empty, the step is parked. */
    record StepFailed(String step, int iteration, int attempt, JsonNode input, String error, Optional<Instant> retryAt)
            implements JournalEntry {}

    /** The operator asked to try a parked step again; its idempotency key stays the same. */
    record StepRetried(String step, int iteration) implements JournalEntry {}

    /** A wait step sleeps until {@code fireAt}. */
    record TimerSet(String step, int iteration, JsonNode input, Instant fireAt) implements JournalEntry {}

    /** An await step waits for an event of {@code eventType} until {@code timeoutAt}. */
    record AwaitStarted(String step, int iteration, JsonNode input, String eventType, Instant timeoutAt)
            implements JournalEntry {}

    /**
     * No matching event arrived in time; the run goes to {@code next}. Events up to {@code seenUpTo}
     * in the event log were considered.
     */
    record AwaitTimedOut(String step, int iteration, String next, long seenUpTo) implements JournalEntry {}

    /**
     * A task was put in the operator's inbox.
     *
     * @param input what the step was given (an agent's input, what an approval shows)
     * @param agent {@code name@version} of the agent whose output waits, if any
     */
    record TaskOpened(
            String task,
            String step,
            int iteration,
            String kind,
            String title,
            String explanation,
            JsonNode details,
            JsonNode proposed,
            List<String> options,
            JsonNode input,
            Optional<String> agent)
            implements JournalEntry {}

    /** The operator answered a task (or the kernel closed it). */
    record TaskResolved(String task, String decision, JsonNode output, String comment) implements JournalEntry {}

    /**
     * An open task's escalation: planned ({@code rail} {@code plan}), or done (a reminder sent, the
     * task delegated, a default answer taken). It escalates again at {@code next}, if present.
     */
    record TaskEscalated(
            String task, String step, int iteration, String rail, String note, JsonNode detail, Optional<Instant> next)
            implements JournalEntry {}

    /**
     * What a step used to reach its outcome, e.g. memory recalled, models called: recorded with the
     * outcome and shown with the step.
     */
    record StepNoted(String step, int iteration, List<JsonNode> notes) implements JournalEntry {}

    /** A step performed an external effect; {@code result} is its receipt. */
    record EffectRecorded(String step, int iteration, String name, String key, JsonNode result)
            implements JournalEntry {}

    /**
     * A step could not start its attempt (a circuit breaker was open, a rate limit was reached, its
     * batch window was closed) and waits until {@code until} without using up the attempt. {@code
     * cause} names why in a word ({@code breaker}, {@code rate-limit}, {@code later}, {@code
     * window}); entries written before it was recorded have none.
     */
    record StepDeferred(String step, int iteration, int attempt, String reason, Instant until, Optional<String> cause)
            implements JournalEntry {}

    /** One completed step to undo, with the output it had. */
    record CompensationTarget(String step, int iteration, JsonNode output) {}

    /**
     * The run undoes its completed steps, in the order given (the reverse of completion), then
     * ends {@code compensated}.
     */
    record CompensationStarted(String reason, List<CompensationTarget> targets) implements JournalEntry {}

    /** The next undo became due. */
    record CompensationScheduled(String step, int iteration) implements JournalEntry {}

    /** A step was undone. */
    record CompensationCompleted(String step, int iteration, JsonNode input, JsonNode output, String agent)
            implements JournalEntry {}

    /** An undo failed; it is tried again at {@code retryAt}, or, when empty, parked for the operator. */
    record CompensationFailed(
            String step, int iteration, int attempt, JsonNode input, String error, Optional<Instant> retryAt)
            implements JournalEntry {}

    /** Every completed step that could be undone was undone. */
    record RunCompensated() implements JournalEntry {}

    /** The run finished its last step. */
    record RunCompleted() implements JournalEntry {}

    /** The run ended without finishing. */
    record RunFailed(String reason) implements JournalEntry {}

    /** The operator stopped the run. */
    record RunCancelled(String reason) implements JournalEntry {}

    /**
     * A parallel step started its branches; each branch's first step is scheduled by the entries
     * that follow.
     */
    record BranchesStarted(String step, int iteration, List<String> branches) implements JournalEntry {}

    /**
     * A branch of a parallel step ended: it finished ({@code completed}, with the outputs of its steps),
     * or it was cancelled because the join was satisfied without it.
     */
    record BranchEnded(String step, int iteration, String branch, boolean completed, JsonNode outputs)
            implements JournalEntry {}

    /** The join of a parallel step cancelled branches whose completed steps are undone, in this order. */
    record BranchesUndoing(String step, int iteration, List<CompensationTarget> targets) implements JournalEntry {}

    /** A forEach step evaluated its list; iterations start by the entries that follow. */
    record ItemsListed(String step, int iteration, List<JsonNode> items) implements JournalEntry {}

    /**
     * Iteration {@code index} of a forEach step started on {@code item}; or turn {@code index} of a
     * conversation started, {@code item} naming the speaker.
     */
    record IterationStarted(String step, int iteration, int index, JsonNode item) implements JournalEntry {}

    /**
     * Iteration {@code index} of a forEach step reached its end, with the outputs of its steps; or
     * turn {@code index} of a conversation ended, {@code outputs} being its transcript entry ({@code
     * turn, speaker, agent, output, costUsd}).
     */
    record IterationEnded(String step, int iteration, int index, JsonNode outputs) implements JournalEntry {}

    /** A step holding others (a forEach, a conversation) is due again to decide what follows. */
    record JoinScheduled(String step, int iteration) implements JournalEntry {}

    /**
     * This run was started by a call step of run {@code parentRun}; {@code depth} counts the calls
     * above it (1 for a child of a run nobody called).
     */
    record RunCalled(String parentRun, String step, int iteration, int depth) implements JournalEntry {}

    /** A call step started child run {@code run} of {@code playbook} at {@code version}. */
    record ChildStarted(String step, int iteration, String run, String playbook, String version, boolean waits)
            implements JournalEntry {}

    /** Child run {@code run} ended with {@code status} (its wire name), for {@code reason} if it failed. */
    record ChildEnded(String step, int iteration, String run, String status, String reason) implements JournalEntry {}

    /** Undoing a call step: its child run {@code run} is being undone, and the undo waits for it. */
    record ChildUndoing(String step, int iteration, String run) implements JournalEntry {}

    /** A conversation step began; its turns start by the entries that follow, one at a time. */
    record TurnsStarted(String step, int iteration) implements JournalEntry {}
}
