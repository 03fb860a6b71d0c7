package dev.aios.kernel.internal.journal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskOption;
import dev.aios.kernel.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything that can happen to a run. A run's state is the fold of its entries ({@code RunFold});
 * the derived tables are their projection ({@code Projector}).
 */
public sealed interface JournalEntry {

    /**
     * The name an entry type is stored under. It is data, not the record's Java name: renaming a
     * record must not change it, and a name once used is never changed or reused.
     */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.TYPE)
    @interface StoredAs {
        String value();
    }

    /** The entry's type as stored (see {@link StoredAs}). */
    default String type() {
        return EntryTypes.nameOf(getClass());
    }

    /** A run began on a pinned playbook version, started by {@code trigger}. */
    @StoredAs("RunStarted")
    record RunStarted(String playbook, String version, String subject, JsonNode trigger) implements JournalEntry {}

    /**
     * A step became due at {@code visibleAt}.
     *
     * @param handedTo the node whose worker began the step's first attempt in the same write, as
     *     {@link StepStarted} with {@code handedOver} says it: the write that recorded the run's step
     *     before, or that logged the event starting the run, took the step on rather than leaving it
     *     to the dispatcher, in one entry where it took two; empty when the step waits for a worker
     *     (and in every entry written before the two were one)
     */
    @StoredAs("StepScheduled")
    record StepScheduled(String step, int iteration, StepKind kind, Instant visibleAt, Optional<String> handedTo)
            implements JournalEntry {

        /** A step due at {@code visibleAt} that waits for a worker. */
        public StepScheduled(String step, int iteration, StepKind kind, Instant visibleAt) {
            this(step, iteration, kind, visibleAt, Optional.empty());
        }

        /** This step, its first attempt begun at once by a worker of {@code node}. */
        public StepScheduled handedTo(String node) {
            return new StepScheduled(step, iteration, kind, visibleAt, Optional.of(node));
        }

        /** The start that {@link #handedTo} stands for, as its own entry would say it. */
        public Optional<StepStarted> started() {
            return handedTo.map(node -> new StepStarted(step, iteration, 1, node, true));
        }
    }

    /**
     * A worker began attempt {@code attempt} of a step.
     *
     * @param handedOver whether a write that did something else took this one on and handed it to a
     *     worker once committed, rather than the dispatcher: the write that recorded the run's step
     *     before, the write that logged the event starting the run, or the write of a worker that had
     *     just finished another run; such an attempt, when it never ends, may have been lost before
     *     it began, so it is not held against the step. A step begun by the write that scheduled it
     *     has no entry of this kind: its {@link StepScheduled#handedTo} says it.
     */
    @StoredAs("StepStarted")
    record StepStarted(
            String step,
            int iteration,
            int attempt,
            String worker,
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean handedOver)
            implements JournalEntry {}

    /**
     * A step finished with {@code output}, stored in the run context as {@code steps.<step>}.
     *
     * @param agent {@code name@version} of the agent that produced it, for agent steps
     * @param next where the run goes next (a step id or {@code end})
     */
    @StoredAs("StepCompleted")
    record StepCompleted(
            String step, int iteration, JsonNode input, JsonNode output, Optional<String> agent, String next)
            implements JournalEntry {}

    /** An attempt failed; it is tried again at {@code retryAt}, or, when empty, the step is parked. */
    @StoredAs("StepFailed")
    record StepFailed(String step, int iteration, int attempt, JsonNode input, String error, Optional<Instant> retryAt)
            implements JournalEntry {}

    /** The operator asked to try a parked step again; its idempotency key stays the same. */
    @StoredAs("StepRetried")
    record StepRetried(String step, int iteration) implements JournalEntry {}

    /** A wait step sleeps until {@code fireAt}. */
    @StoredAs("TimerSet")
    record TimerSet(String step, int iteration, JsonNode input, Instant fireAt) implements JournalEntry {}

    /** An await step waits for an event of {@code eventType} until {@code timeoutAt}. */
    @StoredAs("AwaitStarted")
    record AwaitStarted(String step, int iteration, JsonNode input, String eventType, Instant timeoutAt)
            implements JournalEntry {}

    /**
     * No matching event arrived in time; the run goes to {@code next}. Events up to {@code seenUpTo}
     * in the event log were considered.
     */
    @StoredAs("AwaitTimedOut")
    record AwaitTimedOut(String step, int iteration, String next, long seenUpTo) implements JournalEntry {}

    /**
     * A task was put in the operator's inbox.
     *
     * @param input what the step was given (an agent's input, what an approval shows)
     * @param agent {@code name@version} of the agent whose output waits, if any
     */
    @StoredAs("TaskOpened")
    record TaskOpened(
            String task,
            String step,
            int iteration,
            TaskKind kind,
            String title,
            String explanation,
            JsonNode details,
            JsonNode proposed,
            List<TaskOption> options,
            JsonNode input,
            Optional<String> agent)
            implements JournalEntry {}

    /** The operator answered a task (or the kernel closed it). */
    @StoredAs("TaskResolved")
    record TaskResolved(String task, TaskStatus decision, JsonNode output, String comment) implements JournalEntry {}

    /**
     * An open task's escalation: planned ({@code rail} {@code plan}), or done (a reminder sent, the
     * task delegated, a default answer taken). It escalates again at {@code next}, if present.
     */
    @StoredAs("TaskEscalated")
    record TaskEscalated(
            String task, String step, int iteration, String rail, String note, JsonNode detail, Optional<Instant> next)
            implements JournalEntry {}

    /**
     * What a step used to reach its outcome, e.g. memory recalled, models called: recorded with the
     * outcome and shown with the step.
     */
    @StoredAs("StepNoted")
    record StepNoted(String step, int iteration, List<JsonNode> notes) implements JournalEntry {}

    /** A step performed an external effect; {@code result} is its receipt. */
    @StoredAs("EffectRecorded")
    record EffectRecorded(String step, int iteration, String name, String key, JsonNode result)
            implements JournalEntry {}

    /**
     * A step could not start its attempt (a circuit breaker was open, a rate limit was reached, its
     * batch window was closed) and waits until {@code until} without using up the attempt. {@code
     * cause} names why in a word ({@code breaker}, {@code rate-limit}, {@code later}, {@code
     * window}); entries written before it was recorded have none.
     */
    @StoredAs("StepDeferred")
    record StepDeferred(String step, int iteration, int attempt, String reason, Instant until, Optional<String> cause)
            implements JournalEntry {}

    /** One completed step to undo, with the output it had. */
    record CompensationTarget(String step, int iteration, JsonNode output) {}

    /**
     * The run undoes its completed steps, in the order given (the reverse of completion), then
     * ends {@code compensated}.
     */
    @StoredAs("CompensationStarted")
    record CompensationStarted(String reason, List<CompensationTarget> targets) implements JournalEntry {}

    /** The next undo became due. */
    @StoredAs("CompensationScheduled")
    record CompensationScheduled(String step, int iteration) implements JournalEntry {}

    /** A step was undone. */
    @StoredAs("CompensationCompleted")
    record CompensationCompleted(String step, int iteration, JsonNode input, JsonNode output, String agent)
            implements JournalEntry {}

    /** An undo failed; it is tried again at {@code retryAt}, or, when empty, parked for the operator. */
    @StoredAs("CompensationFailed")
    record CompensationFailed(
            String step, int iteration, int attempt, JsonNode input, String error, Optional<Instant> retryAt)
            implements JournalEntry {}

    /** Every completed step that could be undone was undone. */
    @StoredAs("RunCompensated")
    record RunCompensated() implements JournalEntry {}

    /** The run finished its last step. */
    @StoredAs("RunCompleted")
    record RunCompleted() implements JournalEntry {}

    /** The run ended without finishing. */
    @StoredAs("RunFailed")
    record RunFailed(String reason) implements JournalEntry {}

    /** The operator stopped the run. */
    @StoredAs("RunCancelled")
    record RunCancelled(String reason) implements JournalEntry {}

    /**
     * A parallel step started its branches; each branch's first step is scheduled by the entries
     * that follow.
     */
    @StoredAs("BranchesStarted")
    record BranchesStarted(String step, int iteration, List<String> branches) implements JournalEntry {}

    /**
     * A branch of a parallel step ended: it finished ({@code completed}, with the outputs of its steps),
     * or it was cancelled because the join was satisfied without it.
     */
    @StoredAs("BranchEnded")
    record BranchEnded(String step, int iteration, String branch, boolean completed, JsonNode outputs)
            implements JournalEntry {}

    /** The join of a parallel step cancelled branches whose completed steps are undone, in this order. */
    @StoredAs("BranchesUndoing")
    record BranchesUndoing(String step, int iteration, List<CompensationTarget> targets) implements JournalEntry {}

    /** A forEach step evaluated its list; iterations start by the entries that follow. */
    @StoredAs("ItemsListed")
    record ItemsListed(String step, int iteration, List<JsonNode> items) implements JournalEntry {}

    /**
     * Iteration {@code index} of a forEach step started on {@code item}; or turn {@code index} of a
     * conversation started, {@code item} naming the speaker.
     */
    @StoredAs("IterationStarted")
    record IterationStarted(String step, int iteration, int index, JsonNode item) implements JournalEntry {}

    /**
     * Iteration {@code index} of a forEach step reached its end, with the outputs of its steps; or
     * turn {@code index} of a conversation ended, {@code outputs} being its transcript entry ({@code
     * turn, speaker, agent, output, costUsd}).
     */
    @StoredAs("IterationEnded")
    record IterationEnded(String step, int iteration, int index, JsonNode outputs) implements JournalEntry {}

    /** A step holding others (a forEach, a conversation) is due again to decide what follows. */
    @StoredAs("JoinScheduled")
    record JoinScheduled(String step, int iteration) implements JournalEntry {}

    /**
     * This run was started by a call step of run {@code parentRun}; {@code depth} counts the calls
     * above it (1 for a child of a run nobody called).
     */
    @StoredAs("RunCalled")
    record RunCalled(String parentRun, String step, int iteration, int depth) implements JournalEntry {}

    /** A call step started child run {@code run} of {@code playbook} at {@code version}. */
    @StoredAs("ChildStarted")
    record ChildStarted(String step, int iteration, String run, String playbook, String version, boolean waits)
            implements JournalEntry {}

    /** Child run {@code run} ended with {@code status} (its wire name), for {@code reason} if it failed. */
    @StoredAs("ChildEnded")
    record ChildEnded(String step, int iteration, String run, String status, String reason) implements JournalEntry {}

    /** Undoing a call step: its child run {@code run} is being undone, and the undo waits for it. */
    @StoredAs("ChildUndoing")
    record ChildUndoing(String step, int iteration, String run) implements JournalEntry {}

    /** A conversation step began; its turns start by the entries that follow, one at a time. */
    @StoredAs("TurnsStarted")
    record TurnsStarted(String step, int iteration) implements JournalEntry {}
}
