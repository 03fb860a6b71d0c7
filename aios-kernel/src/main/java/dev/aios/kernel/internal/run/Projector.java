package dev.aios.kernel.internal.run;

import dev.aios.kernel.TaskStatus;
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
import dev.aios.kernel.internal.store.TaskStore.TaskRecord;
import dev.aios.kernel.internal.store.Tx;
import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.internal.store.WorkKind;
import dev.aios.kernel.internal.store.WorkStore.WorkItem;
import java.time.Instant;
import java.util.Optional;

/**
 * Projects journal entries onto the derived state (work, awaits, tasks, receipts, runs). The same
 * code runs when an entry is appended and when the derived state is rebuilt, so both give the same
 * rows.
 */
public final class Projector {
    private Projector() {}

    /** Applies the effect of {@code entry} (already folded into {@code state}) to the derived state. */
    public static void project(Tx tx, RunState state, JournalEntry entry, Instant at) {
        String run = state.id;
        if (state.seq % SNAPSHOT_EVERY == 0) {
            // Two are enough: the newest, and one before it in case the newest is damaged.
            tx.snapshots().save(state, state.seq - SNAPSHOT_EVERY);
        }
        var work = tx.work();
        switch (entry) {
            case RunStarted e -> {}
            case StepScheduled e ->
                // A step handed over as it was scheduled has its first attempt begun (the caller leases it).
                work.add(new WorkItem(
                        new WorkKey(run, e.step(), e.iteration()),
                        WorkKind.STEP,
                        e.visibleAt(),
                        e.handedTo().isPresent() ? 1 : 0));
            case StepStarted e -> work.started(new WorkKey(run, e.step(), e.iteration()), e.attempt());
            case StepCompleted e -> tx.stepCompleted(new WorkKey(run, e.step(), e.iteration()));
            case StepFailed e -> {
                var key = new WorkKey(run, e.step(), e.iteration());
                if (e.retryAt().isPresent()) {
                    work.dueAt(key, e.retryAt().get());
                } else {
                    work.remove(key);
                }
            }
            case StepRetried e ->
                // A retry the operator asked for gets the step's attempts afresh; a step holding
                // others that failed to join their results tries the join again.
                work.add(new WorkItem(
                        new WorkKey(run, e.step(), e.iteration()),
                        state.blocks.containsKey(e.step()) ? WorkKind.JOIN : WorkKind.STEP,
                        at,
                        0));
            case TimerSet e -> work.change(new WorkKey(run, e.step(), e.iteration()), WorkKind.TIMER, e.fireAt());
            case AwaitStarted e -> {
                var key = new WorkKey(run, e.step(), e.iteration());
                // Events count from the trigger, or from where this step last stopped waiting.
                long from = state.awaited.getOrDefault(
                        e.step(), state.trigger.path("seq").asLong());
                tx.awaits().add(key, e.eventType(), state.subject, e.timeoutAt(), from);
                work.change(key, WorkKind.TIMEOUT, e.timeoutAt());
            }
            case AwaitTimedOut e -> {
                var key = new WorkKey(run, e.step(), e.iteration());
                work.remove(key);
                tx.awaits().remove(key);
            }
            case EffectRecorded e ->
                tx.receipts().put(e.key(), new WorkKey(run, e.step(), e.iteration()), e.name(), e.result(), at);
            case StepNoted e -> {}
            case StepDeferred e -> work.dueAt(new WorkKey(run, e.step(), e.iteration()), e.until(), e.attempt() - 1);
            case CompensationStarted e -> {
                work.removeRun(run);
                tx.awaits().removeRun(run);
                closeOpenTasks(tx, run, at, "the run is being undone");
            }
            case CompensationScheduled e ->
                work.add(new WorkItem(new WorkKey(run, e.step(), e.iteration()), WorkKind.COMPENSATE, at, 0));
            case CompensationCompleted e -> work.remove(new WorkKey(run, e.step(), e.iteration()));
            case CompensationFailed e -> {
                var key = new WorkKey(run, e.step(), e.iteration());
                if (e.retryAt().isPresent()) {
                    work.dueAt(key, e.retryAt().get(), e.attempt());
                } else {
                    work.remove(key);
                }
            }
            case RunCompensated e -> endRun(tx, run, at);
            case TaskOpened e -> {
                var key = new WorkKey(run, e.step(), e.iteration());
                tx.tasks()
                        .open(new TaskRecord(
                                e.task(),
                                key,
                                e.kind(),
                                TaskStatus.OPEN,
                                e.title(),
                                e.explanation(),
                                e.details(),
                                e.proposed(),
                                e.options(),
                                at,
                                Optional.empty(),
                                Optional.empty(),
                                java.util.List.of()));
                work.remove(key);
            }
            case TaskResolved e -> {
                var resolution = Json.object();
                resolution.put("decision", e.decision().wire());
                resolution.set("output", e.output());
                resolution.put("comment", e.comment());
                tx.tasks().resolve(e.task(), e.decision(), at, resolution);
                // An answered task escalates no more.
                tx.tasks().find(e.task()).ifPresent(task -> work.remove(task.step(), WorkKind.ESCALATE));
            }
            case TaskEscalated e -> {
                var item = Json.object();
                item.put("at", at.toString());
                item.put("rail", e.rail());
                item.put("note", e.note());
                item.set("detail", e.detail());
                e.next().ifPresent(next -> item.put("next", next.toString()));
                tx.tasks().escalated(e.task(), item);
                var key = new WorkKey(run, e.step(), e.iteration());
                if (e.next().isPresent()) {
                    // While a task is open its step has no other work, so the escalation timer takes its key.
                    work.put(new WorkItem(key, WorkKind.ESCALATE, e.next().get(), 0));
                } else {
                    work.remove(key, WorkKind.ESCALATE);
                }
            }
            case RunCompleted e -> endRun(tx, run, at);
            case RunFailed e -> endRun(tx, run, at);
            case RunCancelled e -> endRun(tx, run, at);
            case BranchesStarted e -> work.remove(new WorkKey(run, e.step(), e.iteration()));
            case BranchEnded e -> {
                if (!e.completed()) {
                    clearScope(tx, run, StepPaths.branch(e.step(), e.branch()), at);
                }
            }
            case BranchesUndoing e -> {}
            case ItemsListed e -> {
                work.remove(new WorkKey(run, e.step(), e.iteration()));
                tx.loops().list(run, e.step(), e.items());
            }
            case TurnsStarted e -> work.remove(new WorkKey(run, e.step(), e.iteration()));
            // a conversation's next turn replaces the item that decided on it
            case IterationStarted e -> work.remove(new WorkKey(run, e.step(), e.iteration()), WorkKind.JOIN);
            case IterationEnded e -> tx.loops().ended(run, e.step(), e.index(), e.outputs());
            case RunCalled e -> {}
            case ChildStarted e -> work.remove(new WorkKey(run, e.step(), e.iteration()));
            case ChildEnded e -> {}
            case ChildUndoing e -> work.remove(new WorkKey(run, e.step(), e.iteration()));
            case JoinScheduled e ->
                work.add(new WorkItem(new WorkKey(run, e.step(), e.iteration()), WorkKind.JOIN, at, 0));
        }
    }

    /** Drops the work, awaits and open tasks of the steps inside {@code scope}, which was cancelled. */
    private static void clearScope(Tx tx, String run, String scope, Instant at) {
        tx.work().removeWithin(run, scope);
        tx.awaits().removeWithin(run, scope);
        tx.tasks()
                .cancelOpenWithin(
                        run,
                        scope,
                        at,
                        cancelled("the branch was cancelled: the parallel step's join was satisfied without it"));
    }

    private static void endRun(Tx tx, String run, Instant at) {
        tx.runEnded(run, at, cancelled("the run ended"));
    }

    private static void closeOpenTasks(Tx tx, String run, Instant at, String why) {
        tx.tasks().cancelOpen(run, at, cancelled(why));
    }

    /** The resolution of a task cancelled because {@code why}. */
    private static com.fasterxml.jackson.databind.node.ObjectNode cancelled(String why) {
        var resolution = Json.object();
        resolution.put("decision", TaskStatus.CANCELLED.wire());
        resolution.put("comment", why);
        return resolution;
    }

    /** Every this many entries, a run's state is kept as a snapshot. */
    public static final int SNAPSHOT_EVERY = 1000;
}
