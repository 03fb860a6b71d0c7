package dev.aios.kernel.internal.engine;

import dev.aios.kernel.internal.journal.JournalEntry.StepStarted;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Database;
import dev.aios.kernel.internal.store.Tx;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The durable work queue: rows of the {@code work} table that become visible at a time, leased by
 * one owner until the lease expires. Leasing a step journals the start of its attempt.
 */
final class WorkQueue {

    /** What one lease call got, and when the next item not yet due becomes due. */
    record Batch(List<Lease> leases, Optional<Instant> nextDue) {}

    private record Due(String runId, String step, int iteration, String kind, int attempt) {}

    private final Database db;
    private final RunJournal journal;
    private final InstantSource clock;
    private final String node;
    private final LeaseTerms terms;
    private final AtomicLong counter = new AtomicLong();

    /** How long a worker may hold an item before it is taken as lost. */
    @FunctionalInterface
    interface LeaseTerms {
        Duration leaseFor(RunState state, String step, String kind);
    }

    WorkQueue(Database db, RunJournal journal, InstantSource clock, String node, LeaseTerms terms) {
        this.db = db;
        this.journal = journal;
        this.clock = clock;
        this.node = node;
        this.terms = terms;
    }

    /** Leases up to {@code max} due items. */
    Batch lease(int max) {
        return db.write(tx -> {
            Instant now = clock.instant();
            var due = tx.query(
                    "SELECT run_id, step_id, iteration, kind, attempt FROM work"
                            + " WHERE visible_at <= ? AND (lease_until IS NULL OR lease_until <= ?)"
                            + " ORDER BY visible_at LIMIT ?",
                    r -> new Due(
                            r.text("run_id"), r.text("step_id"), (int) r.integer("iteration"), r.text("kind"), (int)
                                    r.integer("attempt")),
                    now,
                    now,
                    max);
            var leases = new ArrayList<Lease>(due.size());
            for (var item : due) {
                leases.add(take(tx, item, now));
            }
            Optional<Instant> next = tx.queryOne(
                    "SELECT MIN(visible_at) AS n FROM work WHERE lease_until IS NULL OR lease_until <= ?",
                    r -> r.optionalInstant("n").orElse(null),
                    now);
            return new Batch(leases, next);
        });
    }

    private Lease take(Tx tx, Due item, Instant now) throws SQLException {
        String owner = node + "/" + counter.incrementAndGet();
        var state = journal.load(tx, item.runId())
                .orElseThrow(() -> new IllegalStateException("work for unknown run " + item.runId()));
        Instant until = now.plus(terms.leaseFor(state, item.step(), item.kind()));
        tx.update(
                "UPDATE work SET lease_owner = ?, lease_until = ? WHERE run_id = ? AND step_id = ? AND iteration = ?",
                owner,
                until,
                item.runId(),
                item.step(),
                item.iteration());
        int attempt = item.attempt();
        if (item.kind().equals("step")) {
            attempt++;
            journal.append(tx, state, now, List.of(new StepStarted(item.step(), item.iteration(), attempt, node)));
        } else if (item.kind().equals("compensate") || item.kind().equals("join")) {
            attempt++; // counted by the failures journaled, not by the start
        }
        return new Lease(item.runId(), item.step(), item.iteration(), item.kind(), attempt, owner, until);
    }

    /** Whether {@code lease} is still held: the item exists and nobody else took it over. */
    boolean holds(Tx tx, Lease lease) throws SQLException {
        return tx.count(
                        "SELECT COUNT(*) AS n FROM work WHERE run_id = ? AND step_id = ? AND iteration = ? AND lease_owner = ?",
                        lease.runId(),
                        lease.step(),
                        lease.iteration(),
                        lease.owner())
                > 0;
    }

    /**
     * Frees every lease: called at start-up, when this process owns the data directory and no lease
     * of an earlier process can still be in use.
     */
    int releaseAll() {
        return db.write(tx ->
                tx.update("UPDATE work SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL"));
    }
}
