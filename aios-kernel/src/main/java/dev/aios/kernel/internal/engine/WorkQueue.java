package dev.aios.kernel.internal.engine;

import dev.aios.kernel.AttemptOutcome;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.StepStarted;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.Tx;
import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.internal.store.WorkKind;
import dev.aios.kernel.internal.store.WorkStore.WorkItem;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The durable work queue: items that become visible at a time, leased by one owner until the lease
 * expires. Leasing a step journals the start of its attempt (in the entry that schedules it, when
 * the write that schedules it goes on with it).
 */
final class WorkQueue {

    /** What one lease call got, and when the next item not yet due becomes due. */
    record Batch(List<Lease> leases, Optional<Instant> nextDue) {}

    private final Store store;
    private final RunJournal journal;
    private final InstantSource clock;
    private final String node;
    private final LeaseTerms terms;
    private final AtomicLong counter = new AtomicLong();

    /** How long a worker may hold an item before it is taken as lost. */
    @FunctionalInterface
    interface LeaseTerms {
        Duration leaseFor(RunState state, String step, WorkKind kind);
    }

    WorkQueue(Store store, RunJournal journal, InstantSource clock, String node, LeaseTerms terms) {
        this.store = store;
        this.journal = journal;
        this.clock = clock;
        this.node = node;
        this.terms = terms;
    }

    /**
     * Leases up to {@code max} due items, the longest due first, each in a worker's place taken from
     * {@code places} by the unit that leases it (a place taken by an earlier unit for a step it
     * handed over is then not counted twice), and fires the due timers among them
     * in the same unit: after a restart that finds thousands of timers due, a page of them moves on
     * in one commit rather than one commit each. A timer is fired once: the unit that leases it
     * records it, so a crash before the commit leaves it due, and on PostgreSQL another node skips
     * the rows this unit locked.
     *
     * <p>Whether anything is due is read first, outside the writer: a look that finds nothing (the
     * dispatcher woken when a run ended, or its poll of an idle queue) then costs the writer no unit,
     * and a run sent next does not wait behind one. Every write that makes work due wakes the
     * dispatcher once it committed, so the read sees that work.
     */
    Batch lease(int max, Firing firing, Dispatcher.Places places) {
        var idle = store.read(tx -> {
            Instant now = clock.instant();
            return tx.work().due(now, 1).isEmpty()
                    ? Optional.of(tx.work().nextDue(now))
                    : Optional.<Optional<Instant>>empty();
        });
        if (idle.isPresent()) {
            return new Batch(List.of(), idle.get());
        }
        return store.write(tx -> {
            Instant now = clock.instant();
            // Taken in the write, after any write before it took one for work it handed over.
            int taken = places.take(max, tx);
            if (taken == 0) {
                return new Batch(List.of(), tx.work().nextDue(now));
            }
            var due = tx.work().due(now, taken);
            var leases = new ArrayList<Lease>(due.size());
            for (var item : due) {
                var lease = take(tx, item, now, false);
                if (item.kind() == WorkKind.TIMER) {
                    firing.fire(tx, lease).ifPresent(leases::add);
                } else {
                    leases.add(lease);
                }
            }
            return new Batch(leases, tx.work().nextDue(now));
        });
    }

    /** Fires a due timer in the unit that leased it. */
    @FunctionalInterface
    interface Firing {
        /**
         * Records in {@code tx} that the timer leased as {@code lease} is up; returns what to execute
         * next: the run's next step when the unit leased it too, nothing when nothing is due at once,
         * or the timer's own lease when it cannot be fired here (it then runs like any item).
         */
        Optional<Lease> fire(Tx tx, Lease lease);
    }

    /**
     * Leases the run's next step in the caller's transaction, when one is due now and no one holds
     * it: the unit that records a step's outcome takes the step that follows, so that the worker goes
     * on with it once the unit committed, without another commit or a round through the dispatcher.
     */
    Optional<Next> leaseNext(Tx tx, String runId) {
        Instant now = clock.instant();
        var due = tx.work().due(runId, now);
        for (var item : due) {
            // Only a step never started yet: one whose attempts were lost or failed goes through the
            // dispatcher, so that every attempt after the first is held against it.
            if (item.kind() == WorkKind.STEP && item.attempt() == 0) {
                return Optional.of(new Next(take(tx, item, now, true), due.size() == 1));
            }
        }
        return Optional.empty();
    }

    /**
     * Leases, in the caller's transaction, the item due longest of any run when it is a step never
     * started yet or a timer: the unit that records a step after which its run has nothing to go on
     * with takes the first step of a run waiting for a worker, so that the worker goes on with it once
     * the unit committed instead of the dispatcher leasing it in a unit of its own. A due timer is
     * fired here by {@code firing}, as in a page of the dispatcher's, and the worker goes on with what
     * that leased: after a restart that finds thousands of timers due, each worker moves one run on
     * per commit, the timer's and the step's before it sharing it. When the item due longest is
     * anything else (a retry, a timeout), nothing is taken: the worker's place is freed and the
     * dispatcher leases it, so a stream of new runs never holds back what was due before them.
     */
    Optional<Next> leaseFresh(Tx tx, Firing firing) {
        Instant now = clock.instant();
        var due = tx.work().dueLongest(now, 2);
        if (due.isEmpty()) {
            return Optional.empty();
        }
        var item = due.getFirst();
        boolean alone = due.size() == 1;
        if (item.kind() == WorkKind.TIMER) {
            return firing.fire(tx, take(tx, item, now, false)).map(lease -> new Next(lease, alone));
        }
        if (item.kind() != WorkKind.STEP || item.attempt() != 0) {
            return Optional.empty();
        }
        return Optional.of(new Next(take(tx, item, now, true), alone));
    }

    /**
     * {@code scheduled}, handed over to a worker of this node as it is scheduled when the write that
     * schedules it goes on with it (see {@link StepScheduled#handedTo}): one entry
     * where the step's start would be a second; {@link #handedOver} then leases it. Only a step due
     * now is; others are left as they are.
     */
    StepScheduled handingOver(StepScheduled scheduled, Instant now) {
        return scheduled.visibleAt().isAfter(now) ? scheduled : scheduled.handedTo(node);
    }

    /**
     * Leases, in the caller's transaction, the step that {@code state}'s run just scheduled and began
     * as {@code scheduled} (from {@link #handingOver}), appended to its journal in this transaction.
     */
    Next handedOver(Tx tx, RunState state, StepScheduled scheduled, Instant now) {
        var key = new WorkKey(state.id, scheduled.step(), scheduled.iteration());
        var lease = leaseIn(tx, state, key, WorkKind.STEP, 1, now);
        // Leased, so not due: anything the query finds is other work of the run, for the dispatcher.
        return new Next(lease, tx.work().due(state.id, now).isEmpty());
    }

    /**
     * A step leased by the unit that recorded the one before.
     *
     * @param alone whether it was the run's only item due
     */
    record Next(Lease lease, boolean alone) {}

    private Lease take(Tx tx, WorkItem item, Instant now, boolean handedOver) {
        var key = item.key();
        var state = journal.load(tx, key.runId())
                .orElseThrow(() -> new IllegalStateException("work for unknown run " + key.runId()));
        int attempt = item.attempt();
        switch (item.kind()) {
            case STEP -> {
                attempt++;
                journal.append(
                        tx,
                        state,
                        now,
                        List.of(new StepStarted(key.step(), key.iteration(), attempt, node, handedOver)));
            }
            case COMPENSATE, JOIN -> attempt++; // counted by the failures journaled, not by the start
            case TIMER, TIMEOUT, ESCALATE -> {}
        }
        // After the start, whose write of the item's attempt the store may fold into the lease's.
        return leaseIn(tx, state, key, item.kind(), attempt, now);
    }

    /** Leases {@code key} of {@code state}'s run to a new owner of this node for the item's terms. */
    private Lease leaseIn(Tx tx, RunState state, WorkKey key, WorkKind kind, int attempt, Instant now) {
        String owner = node + "/" + counter.incrementAndGet();
        Instant until = now.plus(terms.leaseFor(state, key.step(), kind));
        tx.work().lease(key, owner, until);
        return new Lease(key.runId(), key.step(), key.iteration(), kind, attempt, owner, until);
    }

    /**
     * How many earlier attempts of the leased step count toward its attempt limit: every attempt
     * started before this one, except a first attempt handed over by a write that did something else
     * (see {@code StepStarted#handedOver}) and never ended. That one was committed before its
     * worker began it, and a process that stopped in between leaves it counted though it never ran;
     * a step that really stops the process each time is still caught, one attempt later, since what
     * follows a lost attempt is leased by the dispatcher.
     */
    static int heldAgainst(RunState run, Lease lease) {
        int started = lease.attempt() - 1;
        var record = run.records.get(lease.step());
        if (record == null || record.iteration != lease.iteration()) {
            return started;
        }
        long lost = record.attempts.stream()
                .filter(a -> a.handedOver && a.outcome == AttemptOutcome.ABANDONED)
                .count();
        return Math.max(0, started - (int) lost);
    }

    /** Whether {@code lease} is still held: the item exists and nobody else took it over. */
    boolean holds(Tx tx, Lease lease) {
        return tx.work().holds(lease.key(), lease.owner());
    }

    /**
     * Frees the leases of workers that are gone (nodes silent since {@code silentSince}), so their
     * items run again now rather than when their leases expire: at start-up, and while running
     * when other nodes share the store.
     */
    int releaseAbandoned(Instant silentSince) {
        return store.write(tx -> tx.work().releaseAbandoned(node, silentSince));
    }
}
