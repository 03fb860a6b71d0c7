package dev.aios.kernel.internal.run;

import dev.aios.kernel.AttemptOutcome;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.StepStatus;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.AwaitStarted;
import dev.aios.kernel.internal.journal.JournalEntry.AwaitTimedOut;
import dev.aios.kernel.internal.journal.JournalEntry.BranchEnded;
import dev.aios.kernel.internal.journal.JournalEntry.BranchesStarted;
import dev.aios.kernel.internal.journal.JournalEntry.BranchesUndoing;
import dev.aios.kernel.internal.journal.JournalEntry.ChildEnded;
import dev.aios.kernel.internal.journal.JournalEntry.ChildStarted;
import dev.aios.kernel.internal.journal.JournalEntry.ChildUndoing;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationFailed;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationStarted;
import dev.aios.kernel.internal.journal.JournalEntry.EffectRecorded;
import dev.aios.kernel.internal.journal.JournalEntry.ItemsListed;
import dev.aios.kernel.internal.journal.JournalEntry.IterationEnded;
import dev.aios.kernel.internal.journal.JournalEntry.IterationStarted;
import dev.aios.kernel.internal.journal.JournalEntry.JoinScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.RunCalled;
import dev.aios.kernel.internal.journal.JournalEntry.RunCancelled;
import dev.aios.kernel.internal.journal.JournalEntry.RunCompensated;
import dev.aios.kernel.internal.journal.JournalEntry.RunCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.RunFailed;
import dev.aios.kernel.internal.journal.JournalEntry.RunStarted;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepDeferred;
import dev.aios.kernel.internal.journal.JournalEntry.StepFailed;
import dev.aios.kernel.internal.journal.JournalEntry.StepNoted;
import dev.aios.kernel.internal.journal.JournalEntry.StepRetried;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.StepStarted;
import dev.aios.kernel.internal.journal.JournalEntry.TaskEscalated;
import dev.aios.kernel.internal.journal.JournalEntry.TaskOpened;
import dev.aios.kernel.internal.journal.JournalEntry.TaskResolved;
import dev.aios.kernel.internal.journal.JournalEntry.TimerSet;
import dev.aios.kernel.internal.journal.JournalEntry.TurnsStarted;
import dev.aios.kernel.internal.playbook.StepPaths;
import java.time.Instant;

/** Folds journal entries into a {@link RunState}: pure, deterministic, the same on replay. */
public final class RunFold {
    private RunFold() {}

    /** A state for a run that has no entries yet (and, as far as the store goes, no row). */
    public static RunState empty(String runId) {
        var state = new RunState();
        state.id = runId;
        state.storedSeq = RunState.NO_ROW;
        return state;
    }

    /**
     * Applies one entry as the journal stores it: {@link #apply} it, then take its number and
     * checksum, so that {@code state} is as of that entry. Used to go on from a stored state or a
     * snapshot; the derived tables are not touched (they already hold what the entry did).
     */
    public static void applyStored(RunState state, JournalEntry entry, Instant at, long seq, String checksum) {
        apply(state, entry, at);
        state.seq = seq;
        state.checksum = checksum;
    }

    /** Applies one entry, appended at {@code at}, to {@code state} (in place). */
    public static void apply(RunState state, JournalEntry entry, Instant at) {
        RunStatus before = state.status;
        switch (entry) {
            case RunStarted e -> {
                if (before != null) {
                    throw new IllegalStateException("run " + state.id + " was started twice");
                }
                state.playbook = e.playbook();
                state.version = e.version();
                state.subject = e.subject();
                state.trigger = e.trigger();
                state.createdAt = at;
                state.status = RunStatus.RUNNING;
            }
            case StepScheduled e -> {
                var record = new StepRecord();
                record.id = e.step();
                record.kind = e.kind();
                record.iteration = e.iteration();
                record.status = StepStatus.SCHEDULED;
                record.scheduledAt = e.visibleAt();
                record.version = state.version;
                state.records.remove(e.step());
                state.records.put(e.step(), record);
                state.entered.merge(e.step(), 1, Integer::sum);
                if (e.step().indexOf('/') < 0) {
                    state.current = e.step();
                    state.currentIteration = e.iteration();
                }
                to(state, RunStatus.RUNNING, entry);
                e.started().ifPresent(started -> start(record, started, at));
            }
            case StepStarted e -> start(current(state, e.step(), e.iteration()), e, at);
            case StepCompleted e -> {
                var record = current(state, e.step(), e.iteration());
                record.status = StepStatus.COMPLETED;
                record.input = e.input();
                record.output = e.output();
                record.agent = e.agent().orElse(null);
                record.error = null;
                record.endedAt = at;
                endAttempt(record, at, AttemptOutcome.COMPLETED, null);
                BlockFold.outputs(state, e.step()).set(StepPaths.idOf(e.step()), e.output());
                state.blocks.remove(e.step());
                if (record.kind == StepKind.AWAIT && e.output().has("seq")) {
                    state.awaited.put(e.step(), e.output().path("seq").asLong());
                }
                to(state, RunStatus.RUNNING, entry);
            }
            case StepFailed e -> {
                var record = current(state, e.step(), e.iteration());
                record.input = e.input();
                record.error = e.error();
                endAttempt(record, at, AttemptOutcome.FAILED, e.error());
                if (e.retryAt().isPresent()) {
                    record.status = StepStatus.RETRYING;
                } else {
                    record.status = StepStatus.FAILED;
                    record.endedAt = at;
                    to(state, RunStatus.NEEDS_ATTENTION, entry);
                }
            }
            case StepRetried e -> {
                var record = current(state, e.step(), e.iteration());
                record.status = StepStatus.SCHEDULED;
                record.error = null;
                record.endedAt = null;
                state.current = e.step();
                state.currentIteration = e.iteration();
                to(state, RunStatus.RUNNING, entry);
            }
            case TimerSet e -> {
                var record = current(state, e.step(), e.iteration());
                record.status = StepStatus.WAITING;
                record.input = e.input();
                endAttempt(record, at, AttemptOutcome.WAITING, null);
                to(state, RunStatus.WAITING, entry);
            }
            case AwaitStarted e -> {
                var record = current(state, e.step(), e.iteration());
                record.status = StepStatus.WAITING;
                record.input = e.input();
                endAttempt(record, at, AttemptOutcome.WAITING, null);
                to(state, RunStatus.WAITING, entry);
            }
            case AwaitTimedOut e -> {
                var record = current(state, e.step(), e.iteration());
                record.status = StepStatus.TIMED_OUT;
                record.endedAt = at;
                state.awaited.put(e.step(), e.seenUpTo());
                to(state, RunStatus.RUNNING, entry);
            }
            case TaskOpened e -> {
                boolean parked = e.kind() == TaskKind.DEAD_LETTER || e.kind() == TaskKind.COMPENSATION;
                if (!parked) {
                    var record = current(state, e.step(), e.iteration());
                    record.status = StepStatus.WAITING;
                    record.input = e.input();
                    e.agent().ifPresent(agent -> record.agent = agent);
                    endAttempt(record, at, AttemptOutcome.WAITING, null);
                }
                to(state, parked ? RunStatus.NEEDS_ATTENTION : RunStatus.WAITING, entry);
            }
            case EffectRecorded e -> {
                var receipt = new StepRecord.Receipt();
                receipt.name = e.name();
                receipt.key = e.key();
                receipt.at = at;
                var record = state.records.get(e.step());
                // An attempt that lost its lease may record its effect after the step moved on.
                if (record != null && record.iteration == e.iteration()) {
                    record.receipts.add(receipt);
                }
            }
            case StepNoted e ->
                current(state, e.step(), e.iteration()).provenance = new java.util.ArrayList<>(e.notes());
            case StepDeferred e -> {
                var record = current(state, e.step(), e.iteration());
                record.status = StepStatus.DEFERRED;
                record.deferredBy = e.cause().orElse(null);
                record.error = e.reason();
                endAttempt(record, at, AttemptOutcome.DEFERRED, e.reason());
            }
            case CompensationStarted e -> {
                to(state, RunStatus.COMPENSATING, entry);
                state.compensation = new RunState.Compensation();
                state.compensation.reason = e.reason();
                state.compensation.targets = new java.util.ArrayList<>(e.targets());
                state.current = null;
                state.error = e.reason();
            }
            case CompensationScheduled e -> {
                if (state.compensation != null) {
                    to(state, RunStatus.COMPENSATING, entry);
                    state.current = e.step();
                    state.currentIteration = e.iteration();
                } else {
                    BlockFold.undoing(state, e.step(), e.iteration());
                }
            }
            case CompensationCompleted e -> {
                if (state.compensation != null) {
                    state.compensation.done++;
                    // An undo the operator skipped after it failed resumes the compensation.
                    to(state, RunStatus.COMPENSATING, entry);
                } else {
                    BlockFold.undoing(state, e.step(), e.iteration()).undone++;
                }
                var record = state.records.get(e.step());
                if (record != null && record.iteration == e.iteration()) {
                    record.status = StepStatus.COMPENSATED;
                }
            }
            case CompensationFailed e -> {
                if (state.compensation == null) {
                    BlockFold.undoing(state, e.step(), e.iteration());
                }
                if (e.retryAt().isEmpty()) {
                    to(state, RunStatus.NEEDS_ATTENTION, entry);
                }
            }
            case RunCompensated e -> end(state, RunStatus.COMPENSATED, state.error, entry);
            case TaskResolved e -> {
                // The task's own row records the answer; the run moves on with the entries that follow.
            }
            case TaskEscalated e -> {
                // The task's own row keeps its escalation history; the run does not move.
            }
            case RunCompleted e -> end(state, RunStatus.COMPLETED, null, entry);
            case RunFailed e -> end(state, RunStatus.FAILED, e.reason(), entry);
            case RunCancelled e -> end(state, RunStatus.CANCELLED, e.reason(), entry);
            case BranchesStarted e -> BlockFold.branchesStarted(state, e, at);
            case BranchEnded e -> BlockFold.branchEnded(state, e);
            case BranchesUndoing e -> BlockFold.block(state, e.step()).undo = new java.util.ArrayList<>(e.targets());
            case ItemsListed e -> BlockFold.itemsListed(state, e, at);
            case IterationStarted e -> BlockFold.iterationStarted(state, e);
            case IterationEnded e -> BlockFold.iterationEnded(state, e);
            case JoinScheduled e -> current(state, e.step(), e.iteration()).status = StepStatus.JOINING;
            case RunCalled e -> {
                state.parent = new RunState.Parent();
                state.parent.run = e.parentRun();
                state.parent.step = e.step();
                state.parent.iteration = e.iteration();
                state.parent.depth = e.depth();
            }
            case ChildStarted e -> {
                var child = new RunState.Child();
                child.step = e.step();
                child.iteration = e.iteration();
                child.playbook = e.playbook();
                child.version = e.version();
                child.waits = e.waits();
                child.status = RunStatus.RUNNING;
                state.children.put(e.run(), child);
                var record = current(state, e.step(), e.iteration());
                var output = Json.object();
                output.put("run", e.run());
                output.put("playbook", e.playbook());
                output.put("version", e.version());
                record.output = output;
                if (e.waits()) {
                    record.status = StepStatus.WAITING;
                    endAttempt(record, at, AttemptOutcome.WAITING, null);
                    to(state, RunStatus.WAITING, entry);
                }
            }
            case ChildEnded e -> {
                var child = state.children.get(e.run());
                if (child != null) {
                    child.status = RunStatus.fromWire(e.status());
                }
            }
            case ChildUndoing e -> state.children.get(e.run()).undoing = true;
            case TurnsStarted e -> BlockFold.turnsStarted(state, e, at);
        }
        if (!state.blocks.isEmpty() && !state.status.isFinal() && state.compensation == null) {
            // several steps are in flight: the run is as far as the least advanced of them
            to(state, BlockFold.status(state), entry);
        }
        state.updatedAt = at;
    }

    static StepRecord current(RunState state, String step, int iteration) {
        var record = state.record(step);
        if (record.iteration != iteration) {
            throw new IllegalStateException("run " + state.id + " step '" + step + "' is at iteration "
                    + record.iteration + ", not " + iteration);
        }
        return record;
    }

    /** Attempt {@code e.attempt()} of the step of {@code record} began at {@code at}. */
    private static void start(StepRecord record, StepStarted e, Instant at) {
        abandonRunningAttempts(record);
        var attempt = new StepRecord.Attempt();
        attempt.attempt = e.attempt();
        attempt.startedAt = at;
        attempt.outcome = AttemptOutcome.RUNNING;
        attempt.handedOver = e.handedOver();
        record.attempts.add(attempt);
        record.status = StepStatus.RUNNING;
    }

    private static void abandonRunningAttempts(StepRecord record) {
        for (var attempt : record.attempts) {
            if (attempt.outcome == AttemptOutcome.RUNNING) {
                attempt.outcome = AttemptOutcome.ABANDONED;
                attempt.error = "the worker stopped before the attempt ended";
            }
        }
    }

    static void endAttempt(StepRecord record, Instant at, AttemptOutcome outcome, String error) {
        if (!record.attempts.isEmpty()) {
            var last = record.attempts.getLast();
            if (last.outcome == AttemptOutcome.RUNNING || last.outcome == AttemptOutcome.WAITING) {
                last.outcome = outcome;
                last.endedAt = at;
                last.error = error;
            }
        }
    }

    private static void end(RunState state, RunStatus status, String reason, JournalEntry entry) {
        to(state, status, entry);
        state.current = null;
        state.error = reason;
        state.scopes.clear();
        state.blocks.clear();
        for (var record : state.records.values()) {
            switch (record.status) {
                case SCHEDULED, RUNNING, RETRYING, WAITING, IN_PROGRESS, JOINING ->
                    record.status = StepStatus.CANCELLED;
                case DEFERRED, COMPLETED, FAILED, TIMED_OUT, COMPENSATED, CANCELLED -> {}
            }
        }
    }

    static void to(RunState state, RunStatus status, JournalEntry entry) {
        RunTransitions.check(state.id, state.status, status, entry.type());
        state.status = status;
    }
}
