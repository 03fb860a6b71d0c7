package dev.aios.kernel.internal.engine;

import dev.aios.kernel.internal.Ids;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.Tx;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what a work item produced: one transaction that checks the lease is still held, gathers
 * what deciding needs, and appends what {@link StepOutcomes} decides. A stale lease (the run was
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

    Progress(
            Store store,
            RunJournal journal,
            WorkQueue queue,
            EventIntake intake,
            Awaits awaits,
            InstantSource clock,
            Runnable wake) {
        this.store = store;
        this.journal = journal;
        this.queue = queue;
        this.intake = intake;
        this.awaits = awaits;
        this.clock = clock;
        this.wake = wake;
    }

    void record(Lease lease, CompiledPlaybook playbook, Outcome outcome) {
        if (outcome instanceof Outcome.Nothing nothing) {
            LOG.debug("nothing to record for {}: {}", lease, nothing.why());
            return;
        }
        store.write(tx -> {
            if (!queue.holds(tx, lease)) {
                LOG.info("dropping the result of {}: the lease is no longer held", lease);
                return null;
            }
            Instant now = clock.instant();
            if (outcome instanceof Outcome.TimedOut && tx.awaits().behind(lease.key())) {
                // Events came that the run was not checked against yet: match them first.
                tx.work().dueAt(lease.key(), now.plus(MATCHING_PAUSE));
                tx.afterCommit(() -> awaits.schedule(lease.runId(), lease.step(), lease.iteration()));
                return null;
            }
            var state = journal.load(tx, lease.runId()).orElseThrow();
            var situation = new StepOutcomes.Situation(lease, playbook, state, now);
            journal.append(tx, state, now, StepOutcomes.decide(situation, outcome, facts(tx, situation, outcome)));
            switch (outcome) {
                // An event that came before the wait began is still taken: the catch-up finds it.
                case Outcome.Listen l ->
                    tx.afterCommit(() -> awaits.schedule(lease.runId(), lease.step(), lease.iteration()));
                case Outcome.Publish p -> tx.afterCommit(() -> awaits.schedule(p.event().type()));
                default -> {}
            }
            tx.afterCommit(wake);
            return null;
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

    /** Reads (or, for an emit step, does) what deciding about {@code outcome} needs. */
    private StepOutcomes.Facts facts(Tx tx, StepOutcomes.Situation s, Outcome outcome) {
        var emitted = outcome instanceof Outcome.Publish p
                ? Optional.of(intake.accept(tx, p.event(), p.routing(), s.now()).accepted())
                : Optional.<dev.aios.kernel.Accepted>empty();
        long head = outcome instanceof Outcome.TimedOut ? EventIntake.head(tx) : 0;
        return new StepOutcomes.Facts(
                () -> Ids.next("t", s.now()),
                ThreadLocalRandom.current().nextDouble() * 2 - 1,
                emitted,
                head,
                () -> Saga.completed(tx, journal, s.state()));
    }
}
