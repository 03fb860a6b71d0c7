package dev.aios.kernel.internal.engine;

import dev.aios.kernel.internal.Ids;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.TaskEscalated;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.StepPaths;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.Tx;
import dev.aios.kernel.internal.store.WorkKind;
import dev.aios.kernel.spi.Escalation;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what a work item produced: one transaction that checks the lease is still held, gathers
 * what deciding needs, and appends what {@link StepOutcomes}, {@link GraphOutcomes} and {@link Calls}
 * decide. A stale lease (the run was
 * cancelled, or the item was taken over) records nothing.
 */
final class Progress {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    /** How long a timeout waits for events that came in time to be matched. */
    private static final Duration MATCHING_PAUSE = Duration.ofMillis(500);

    private final Store store;
    private final RunJournal journal;
    private final WorkQueue queue;
    private final EventIntake intake;
    private final Awaits awaits;
    private final InstantSource clock;
    private final Runnable wake;
    private final Lineage lineage;
    private final WorkQueue.Firing firing;

    /** @param firing fires a due timer that a unit takes after its run has nothing to go on with */
    Progress(
            Store store,
            RunJournal journal,
            WorkQueue queue,
            EventIntake intake,
            Awaits awaits,
            Lineage lineage,
            WorkQueue.Firing firing,
            InstantSource clock,
            Runnable wake) {
        this.lineage = lineage;
        this.firing = firing;
        this.store = store;
        this.journal = journal;
        this.queue = queue;
        this.intake = intake;
        this.awaits = awaits;
        this.clock = clock;
        this.wake = wake;
    }

    /**
     * Records {@code outcome}; a task it opens first escalates at {@code escalateAt}, when the
     * policy planned that. With {@code goOn}, the same unit leases the run's next step when it is due
     * at once, or else the first step of a run waiting for a worker, and returns it with a copy of
     * that run's state for the caller to execute once the unit committed.
     */
    Optional<Handed> record(
            Lease lease, CompiledPlaybook playbook, Outcome outcome, Optional<Instant> escalateAt, boolean goOn) {
        if (outcome instanceof Outcome.Nothing nothing) {
            LOG.debug("nothing to record for {}: {}", lease, nothing.why());
            return Optional.empty();
        }
        return store.write(tx -> recordIn(tx, lease, playbook, outcome, escalateAt, goOn, goOn));
    }

    /**
     * Records {@code outcome} as {@link #record} does, in the caller's transaction {@code tx}: the
     * unit that leased a due timer fires it at once, beside the other timers of its page. With
     * {@code orAnother}, when the run has no step to go on with, the unit leases the first step of
     * another run instead ({@link WorkQueue#leaseFresh}); not in a unit that leases a page of due
     * items itself, which has chosen them already.
     */
    Optional<Handed> recordIn(
            Tx tx,
            Lease lease,
            CompiledPlaybook playbook,
            Outcome outcome,
            Optional<Instant> escalateAt,
            boolean goOn,
            boolean orAnother) {
        if (!queue.holds(tx, lease)) {
            LOG.info("dropping the result of {}: the lease is no longer held", lease);
            return Optional.<Handed>empty();
        }
        Instant now = clock.instant();
        if (outcome instanceof Outcome.TimedOut && tx.awaits().behind(lease.key())) {
            // Events came that the run was not checked against yet: match them first.
            tx.work().dueAt(lease.key(), now.plus(MATCHING_PAUSE));
            tx.afterCommit(() -> awaits.schedule(lease.runId(), lease.step(), lease.iteration()));
            return Optional.<Handed>empty();
        }
        var state = journal.load(tx, lease.runId()).orElseThrow();
        var writes = new RunWrites(tx, journal, state, now);
        var decided = blocks(tx, writes, lease, playbook, outcome, now);
        // The run's next step when this unit schedules it and goes on with it in one entry.
        StepScheduled handed = null;
        if (decided.isPresent()) {
            var situation = new StepOutcomes.Situation(lease, playbook, state, now);
            var decision =
                    StepOutcomes.decide(situation, decided.get(), facts(tx, situation, decided.get(), escalateAt));
            journal.append(tx, state, now, decision.entries());
            var following = writes.following(playbook, decision.then());
            if (goOn
                    && decision.then() instanceof Decision.GoOn go
                    && StepPaths.scopeOf(go.from()).isEmpty()
                    && following.size() == 1
                    && following.getFirst() instanceof StepScheduled scheduled) {
                // The run goes on in sequence: its next step is scheduled and begun in one entry.
                var handing = queue.handingOver(scheduled, now);
                if (handing.handedTo().isPresent()) {
                    handed = handing;
                    following = List.of(handing);
                }
            }
            writes.append(following);
        }
        switch (outcome) {
            // An event that came before the wait began is still taken: the catch-up finds it.
            case Outcome.Listen l ->
                tx.afterCommit(() -> awaits.schedule(lease.runId(), lease.step(), lease.iteration()));
            case Outcome.Publish p ->
                tx.afterCommit(() -> awaits.schedule(p.event().type()));
            default -> {}
        }
        var next = Optional.<WorkQueue.Next>empty();
        if (handed != null) {
            next = Optional.of(queue.handedOver(tx, state, handed, now));
        } else if (goOn) {
            next = state.status.isFinal() ? next : queue.leaseNext(tx, lease.runId());
            if (next.isEmpty() && orAnother) {
                // Nothing more of this run now: the worker goes on with a run waiting for its first step,
                // or with the run of the timer due longest.
                next = queue.leaseFresh(tx, firing);
            }
        }
        if (next.isEmpty()
                || !next.get().alone()
                || !(outcome instanceof Outcome.Completed)
                || !next.get().lease().runId().equals(lease.runId())) {
            // Something may be due that this worker does not go on with: the dispatcher looks.
            tx.afterCommit(wake);
        }
        // The worker goes on from the state as this unit left it, rather than reading it again.
        return next.map(n -> new Handed(
                n.lease(), journal.load(tx, n.lease().runId()).orElseThrow().copy()));
    }

    /** The run's next step, leased by the unit that recorded the one before, with the run's state as it left it. */
    record Handed(Lease lease, RunState state) {}

    /**
     * Records an escalation of open task {@code taskId} at the lease's step; nothing when the lease
     * is no longer held (the task was answered meanwhile).
     *
     * @return whether it was recorded
     */
    boolean escalated(Lease lease, String taskId, Escalation escalation) {
        return store.write(tx -> {
            if (!queue.holds(tx, lease)) {
                return false;
            }
            var state = journal.load(tx, lease.runId()).orElseThrow();
            journal.append(
                    tx,
                    state,
                    clock.instant(),
                    List.of(new TaskEscalated(
                            taskId,
                            lease.step(),
                            lease.iteration(),
                            escalation.rail(),
                            escalation.note(),
                            escalation.detail(),
                            escalation.next())));
            tx.afterCommit(wake);
            return true;
        });
    }

    /** Parks a step that cannot run at all, e.g. because its playbook version is gone. */
    void fail(Lease lease, String error) {
        store.write(tx -> {
            if (!queue.holds(tx, lease)) {
                return null;
            }
            var state = journal.load(tx, lease.runId()).orElseThrow();
            Instant now = clock.instant();
            journal.append(tx, state, now, StepOutcomes.cannotRun(lease, state, error, Ids.next("t", now)));
            return null;
        });
    }

    /**
     * Records the outcomes of steps that hold others (parallel branches, forEach items, conversation turns, a child run),
     * whose entries depend on the run step by step. Returns the outcome left to decide: the given
     * one when it is none of these, a failure when a call cannot start, or none when recorded here.
     */
    private Optional<Outcome> blocks(
            Tx tx, RunWrites writes, Lease lease, CompiledPlaybook playbook, Outcome outcome, Instant now) {
        var state = writes.state();
        if (lease.kind() == WorkKind.COMPENSATE) {
            if (outcome instanceof Outcome.UndoChild child) {
                lineage.undo(tx, writes, playbook, lease.step(), lease.iteration(), child.run(), now);
                return Optional.empty();
            }
            return Optional.of(outcome);
        }
        switch (outcome) {
            case Outcome.Fork fork -> {
                writes.append(GraphOutcomes.fork(state, playbook, lease.step(), lease.iteration(), now));
                return Optional.empty();
            }
            case Outcome.Call call -> {
                var refused = lineage.start(tx, writes, playbook, lease.step(), call, now);
                return refused.map(why -> new Outcome.Failed(call.input(), why, false));
            }
            case Outcome.Turn turn -> {
                writes.append(GraphOutcomes.turn(state, playbook, lease.step(), turn.turn(), now));
                return Optional.empty();
            }
            case Outcome.Items items -> {
                writes.append(GraphOutcomes.items(state, playbook, lease.step(), items.items(), now, writes.facts()));
                return Optional.empty();
            }
            default -> {
                return Optional.of(outcome);
            }
        }
    }

    /** Reads (or, for an emit step, does) what deciding about {@code outcome} needs. */
    private StepOutcomes.Facts facts(Tx tx, StepOutcomes.Situation s, Outcome outcome, Optional<Instant> escalateAt) {
        var emitted = outcome instanceof Outcome.Publish p
                ? Optional.of(intake.accept(tx, p.event(), p.routing(), s.now()).accepted())
                : Optional.<dev.aios.kernel.Accepted>empty();
        long head = outcome instanceof Outcome.TimedOut ? EventIntake.head(tx) : 0;
        return new StepOutcomes.Facts(
                () -> Ids.next("t", s.now()),
                ThreadLocalRandom.current().nextDouble() * 2 - 1,
                emitted,
                head,
                () -> Saga.completed(tx, journal, s.state()),
                escalateAt);
    }
}
