package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.RetryPolicy;
import dev.aios.api.StepOptions;
import dev.aios.api.StepOptions.FailureAction;
import dev.aios.kernel.internal.Ids;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.AwaitStarted;
import dev.aios.kernel.internal.journal.JournalEntry.AwaitTimedOut;
import dev.aios.kernel.internal.journal.JournalEntry.BranchesStarted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationFailed;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepDeferred;
import dev.aios.kernel.internal.journal.JournalEntry.StepFailed;
import dev.aios.kernel.internal.journal.JournalEntry.StepNoted;
import dev.aios.kernel.internal.journal.JournalEntry.TaskEscalated;
import dev.aios.kernel.internal.journal.JournalEntry.TaskOpened;
import dev.aios.kernel.internal.journal.JournalEntry.TimerSet;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.playbook.StepPaths;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Database;
import dev.aios.kernel.internal.store.Tx;
import dev.aios.kernel.spi.Escalation;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what a work item produced: one transaction that checks the lease is still held, appends
 * the entries, and schedules what comes next. A stale lease (the run was cancelled, or the item
 * was taken over) records nothing.
 */
final class Progress {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final Database db;
    private final RunJournal journal;
    private final WorkQueue queue;
    private final EventIntake intake;
    private final Awaits awaits;
    private final InstantSource clock;
    private final Runnable wake;

    private final Lineage lineage;

    Progress(
            Database db,
            RunJournal journal,
            WorkQueue queue,
            EventIntake intake,
            Awaits awaits,
            Lineage lineage,
            InstantSource clock,
            Runnable wake) {
        this.lineage = lineage;
        this.db = db;
        this.journal = journal;
        this.queue = queue;
        this.intake = intake;
        this.awaits = awaits;
        this.clock = clock;
        this.wake = wake;
    }

    /** How long a timeout waits for events that came in time to be matched. */
    private static final java.time.Duration MATCHING_PAUSE = java.time.Duration.ofMillis(500);

    /** Entries to append, then where the run goes, if it goes on now. */
    private record Recording(List<JournalEntry> entries, Optional<String> next) {
        static Recording of(JournalEntry... entries) {
            return new Recording(List.of(entries), Optional.empty());
        }

        static Recording of(List<JournalEntry> entries) {
            return new Recording(List.copyOf(entries), Optional.empty());
        }

        static Recording then(JournalEntry entry, String next) {
            return new Recording(List.of(entry), Optional.of(next));
        }
    }

    /**
     * Records {@code outcome}; a task it opens first escalates at {@code escalateAt}, when the
     * policy planned that.
     */
    void record(Lease lease, CompiledPlaybook playbook, Outcome outcome, Optional<Instant> escalateAt) {
        if (outcome instanceof Outcome.Nothing nothing) {
            LOG.debug("nothing to record for {}: {}", lease, nothing.why());
            return;
        }
        db.write(tx -> {
            if (!queue.holds(tx, lease)) {
                LOG.info("dropping the result of {}: the lease is no longer held", lease);
                return null;
            }
            var state = journal.load(tx, lease.runId()).orElseThrow();
            Instant now = clock.instant();
            if (outcome instanceof Outcome.TimedOut
                    && Awaits.behind(tx, lease.runId(), lease.step(), lease.iteration())) {
                // Events came that the run was not checked against yet: match them first.
                tx.update(
                        "UPDATE work SET visible_at = ?, lease_owner = NULL, lease_until = NULL"
                                + " WHERE run_id = ? AND step_id = ? AND iteration = ?",
                        now.plus(MATCHING_PAUSE),
                        lease.runId(),
                        lease.step(),
                        lease.iteration());
                tx.afterCommit(() -> awaits.schedule(lease.runId(), lease.step(), lease.iteration()));
                return null;
            }
            if (lease.kind().equals("compensate")) {
                undone(tx, lease, playbook, state, outcome, now, escalateAt);
            } else if (outcome instanceof Outcome.Failed f) {
                failure(tx, lease, playbook, state, f, now, escalateAt);
            } else if (outcome instanceof Outcome.Deferred d) {
                journal.append(
                        tx,
                        state,
                        now,
                        List.of(new StepDeferred(
                                lease.step(),
                                lease.iteration(),
                                lease.attempt(),
                                d.reason(),
                                d.until(),
                                Optional.of(d.cause()))));
            } else if (outcome instanceof Outcome.Fork) {
                var writes = new RunWrites(tx, journal, state, now);
                var parallel = (CompiledStep.Parallel) playbook.step(lease.step());
                writes.append(new BranchesStarted(
                        lease.step(),
                        lease.iteration(),
                        List.copyOf(parallel.branches().keySet())));
                parallel.branches()
                        .forEach((branch, first) -> writes.append(Advance.schedule(
                                state, playbook, StepPaths.child(StepPaths.branch(lease.step(), branch), first), now)));
            } else if (outcome instanceof Outcome.Call call) {
                var writes = new RunWrites(tx, journal, state, now);
                var refused = lineage.start(tx, writes, playbook, lease.step(), call, now);
                if (refused.isPresent()) {
                    failure(
                            tx,
                            lease,
                            playbook,
                            state,
                            new Outcome.Failed(call.input(), refused.get(), false),
                            now,
                            escalateAt);
                }
            } else if (outcome instanceof Outcome.Turn turn) {
                var writes = new RunWrites(tx, journal, state, now);
                var conversation = (CompiledStep.Conversation) playbook.step(lease.step());
                Advance.startTurn(writes, playbook, conversation, lease.step(), turn.turn(), now);
            } else if (outcome instanceof Outcome.Items items) {
                var writes = new RunWrites(tx, journal, state, now);
                var forEach = (CompiledStep.ForEach) playbook.step(lease.step());
                Advance.startItems(writes, playbook, forEach, lease.step(), items.items(), now, writes);
            } else {
                notes(outcome)
                        .filter(n -> !n.isEmpty())
                        .ifPresent(n -> append(tx, state, now, new StepNoted(lease.step(), lease.iteration(), n)));
                var recording = recording(lease, playbook, state, outcome, now, tx, escalateAt);
                journal.append(tx, state, now, recording.entries());
                if (recording.next().isPresent()) {
                    // What comes next depends on the state after the entries above.
                    var writes = new RunWrites(tx, journal, state, now);
                    Advance.after(
                            writes, playbook, lease.step(), recording.next().get(), now, writes);
                }
            }
            tx.afterCommit(wake);
            return null;
        });
    }

    private static Optional<List<JsonNode>> notes(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Completed c -> Optional.of(c.notes());
            case Outcome.Review r -> Optional.of(r.notes());
            case Outcome.Draft d -> Optional.of(d.notes());
            default -> Optional.empty();
        };
    }

    private void append(Tx tx, RunState state, Instant now, JournalEntry entry) {
        try {
            journal.append(tx, state, now, List.of(entry));
        } catch (SQLException e) {
            throw new dev.aios.kernel.StorageException("could not record: " + e.getMessage(), e);
        }
    }

    /**
     * Records an escalation of open task {@code taskId} at the lease's step; nothing when the lease
     * is no longer held (the task was answered meanwhile).
     *
     * @return whether it was recorded
     */
    boolean escalated(Lease lease, String taskId, Escalation escalation) {
        return db.write(tx -> {
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
        db.write(tx -> {
            if (!queue.holds(tx, lease)) {
                return null;
            }
            var state = journal.load(tx, lease.runId()).orElseThrow();
            Instant now = clock.instant();
            var record = state.records.get(lease.step());
            var input = record == null || record.input.isNull() ? Json.object() : record.input;
            var f = new Outcome.Failed(input, error, false);
            journal.append(
                    tx,
                    state,
                    now,
                    List.of(
                            new StepFailed(
                                    lease.step(),
                                    lease.iteration(),
                                    lease.attempt(),
                                    f.input(),
                                    error,
                                    Optional.empty()),
                            deadLetter(lease, f, "failed and cannot run: " + error, now)));
            return null;
        });
    }

    /** A failed attempt: try again after a pause, or park the step (or undo the run, if so declared). */
    private void failure(
            Tx tx,
            Lease lease,
            CompiledPlaybook playbook,
            RunState state,
            Outcome.Failed f,
            Instant now,
            Optional<Instant> escalateAt)
            throws SQLException {
        var options = options(playbook, lease.step());
        var policy = options.retry().orElse(RetryPolicy.DEFAULT);
        var retryAt = retryAt(policy, lease, f, now);
        String step = lease.step();
        int it = lease.iteration();
        if (retryAt.isPresent()) {
            journal.append(
                    tx, state, now, List.of(new StepFailed(step, it, lease.attempt(), f.input(), f.error(), retryAt)));
            return;
        }
        journal.append(
                tx,
                state,
                now,
                List.of(new StepFailed(step, it, lease.attempt(), f.input(), f.error(), Optional.empty())));
        String why = f.retryable() && !policy.isNonRetryable(f.errorClass())
                ? "failed " + lease.attempt() + " time" + (lease.attempt() == 1 ? "" : "s") + "; the last error: "
                        + f.error()
                : "failed and trying again would not help: " + f.error();
        if (options.onFailure().orElse(FailureAction.PARK) == FailureAction.COMPENSATE
                && Saga.start(tx, journal, state, playbook, "step '" + step + "' " + why, now)) {
            return;
        }
        journal.append(tx, state, now, planned(deadLetter(lease, f, why, now), escalateAt));
    }

    /** A task, followed by the plan of its first escalation when there is one. */
    static List<JournalEntry> planned(TaskOpened task, Optional<Instant> escalateAt) {
        if (escalateAt.isEmpty()) {
            return List.of(task);
        }
        return List.of(
                task,
                new TaskEscalated(
                        task.task(),
                        task.step(),
                        task.iteration(),
                        "plan",
                        "escalates at " + escalateAt.get() + " if still open",
                        Json.object(),
                        escalateAt));
    }

    /**
     * A step that failed for good outside any attempt (its child run failed): parked for the
     * operator, or, when its options say so, the run undone.
     */
    static void failedForGood(
            Tx tx,
            RunJournal journal,
            RunState state,
            CompiledPlaybook playbook,
            String step,
            int iteration,
            int attempt,
            JsonNode input,
            String error,
            Instant now)
            throws SQLException {
        journal.append(
                tx, state, now, List.of(new StepFailed(step, iteration, attempt, input, error, Optional.empty())));
        String why = "failed: " + error;
        if (options(playbook, step).onFailure().orElse(FailureAction.PARK) == FailureAction.COMPENSATE
                && Saga.start(tx, journal, state, playbook, "step '" + step + "' " + why, now)) {
            return;
        }
        var lease = new Lease(state.id, step, iteration, "step", attempt, "", now);
        journal.append(tx, state, now, List.of(deadLetter(lease, new Outcome.Failed(input, error, false), why, now)));
    }

    /** Records how undoing one step went, and what follows. */
    private void undone(
            Tx tx,
            Lease lease,
            CompiledPlaybook playbook,
            RunState state,
            Outcome outcome,
            Instant now,
            Optional<Instant> escalateAt)
            throws SQLException {
        String step = lease.step();
        int it = lease.iteration();
        switch (outcome) {
            case Outcome.Completed c -> {
                journal.append(
                        tx,
                        state,
                        now,
                        List.of(new CompensationCompleted(
                                step, it, c.input(), c.output(), c.agent().orElse(""))));
                next(new RunWrites(tx, journal, state, now), playbook, step, it, now);
            }
            case Outcome.UndoChild child ->
                lineage.undo(tx, new RunWrites(tx, journal, state, now), playbook, step, it, child.run(), now);
            case Outcome.Failed f -> {
                var policy = options(playbook, step).retry().orElse(RetryPolicy.DEFAULT);
                var retryAt = retryAt(policy, lease, f, now);
                journal.append(
                        tx,
                        state,
                        now,
                        List.of(new CompensationFailed(step, it, lease.attempt(), f.input(), f.error(), retryAt)));
                if (retryAt.isEmpty()) {
                    ObjectNode details = Json.object();
                    details.set("input", f.input());
                    details.put("error", f.error());
                    details.put("attempts", lease.attempt());
                    journal.append(
                            tx,
                            state,
                            now,
                            planned(
                                    new TaskOpened(
                                            Ids.next("t", now),
                                            step,
                                            it,
                                            "compensation",
                                            "Undoing step '" + step + "' of run " + lease.runId() + " failed",
                                            "The run is being undone (" + state.compensation.reason
                                                    + "), but undoing step '" + step + "' failed: " + f.error(),
                                            details,
                                            Json.object(),
                                            List.of("retry", "skip"),
                                            f.input(),
                                            Optional.empty()),
                                    escalateAt));
                }
            }
            case Outcome.Deferred d ->
                // The undo waits for its connector like any step; it keeps its attempt.
                journal.append(
                        tx,
                        state,
                        now,
                        List.of(new CompensationFailed(
                                step, it, lease.attempt() - 1, Json.object(), d.reason(), Optional.of(d.until()))));
            default -> throw new IllegalStateException("an undo cannot end with " + outcome);
        }
    }

    /**
     * What follows an undo that finished: the run's next undo (or its end), or, when the step was
     * in a branch that a parallel step's join cancelled, that parallel step's next undo or its join.
     */
    static void next(RunWrites writes, CompiledPlaybook playbook, String step, int iteration, Instant now) {
        if (writes.state().compensation != null) {
            writes.append(Saga.next(writes.state()));
        } else {
            Advance.undone(writes, playbook, step, iteration, now, writes);
        }
    }

    private static Optional<Instant> retryAt(RetryPolicy policy, Lease lease, Outcome.Failed f, Instant now) {
        if (!f.retryable() || policy.isNonRetryable(f.errorClass()) || lease.attempt() >= policy.maxAttempts()) {
            return Optional.empty();
        }
        long base = policy.backoff(lease.attempt()).toMillis();
        double spread = policy.jitter() * (ThreadLocalRandom.current().nextDouble() * 2 - 1);
        return Optional.of(now.plusMillis(Math.max(0, Math.round(base * (1 + spread)))));
    }

    /** A step's options completed from the playbook's defaults (non-agent steps have only the defaults). */
    static StepOptions options(CompiledPlaybook playbook, String step) {
        return switch (playbook.step(step)) {
            case CompiledStep.AgentCall call -> call.options();
            case CompiledStep.Call call -> call.options();
            default -> playbook.model().defaults();
        };
    }

    private static TaskOpened deadLetter(Lease lease, Outcome.Failed f, String why, Instant now) {
        ObjectNode details = Json.object();
        details.set("input", f.input());
        details.put("error", f.error());
        details.put("attempts", lease.attempt());
        return new TaskOpened(
                Ids.next("t", now),
                lease.step(),
                lease.iteration(),
                "dead-letter",
                "Step '" + lease.step() + "' of run " + lease.runId() + " failed",
                "Step '" + lease.step() + "' " + why,
                details,
                Json.object(),
                List.of("retry", "skip", "compensate", "cancel"),
                f.input(),
                Optional.empty());
    }

    private Recording recording(
            Lease lease,
            CompiledPlaybook playbook,
            RunState state,
            Outcome outcome,
            Instant now,
            Tx tx,
            Optional<Instant> escalateAt)
            throws SQLException {
        String step = lease.step();
        int it = lease.iteration();
        return switch (outcome) {
            case Outcome.Completed c ->
                Recording.then(new StepCompleted(step, it, c.input(), c.output(), c.agent(), c.next()), c.next());
            case Outcome.Failed f -> throw new IllegalStateException("failures are recorded apart");
            case Outcome.Deferred d -> throw new IllegalStateException("deferrals are recorded apart");
            case Outcome.Review r -> Recording.of(planned(review(lease, playbook, state, r, now), escalateAt));
            case Outcome.Draft d -> Recording.of(planned(draft(lease, playbook, state, d, now), escalateAt));
            case Outcome.Ask a -> Recording.of(planned(ask(lease, playbook, state, a, now), escalateAt));
            case Outcome.Sleep s -> Recording.of(new TimerSet(step, it, s.input(), s.until()));
            case Outcome.Listen l -> {
                // An event that came before the wait began is still taken: the catch-up finds it.
                tx.afterCommit(() -> awaits.schedule(lease.runId(), step, it));
                yield Recording.of(new AwaitStarted(step, it, l.input(), l.eventType(), l.timeoutAt()));
            }
            case Outcome.Publish p -> {
                var logged = intake.accept(tx, p.event(), p.routing(), now);
                tx.afterCommit(() -> awaits.schedule(p.event().type()));
                ObjectNode output = Json.object();
                output.put("eventId", p.event().id());
                if (p.event().type().equals(StepRunner.MESSAGE_TYPE)) {
                    output.put("messageId", p.event().id());
                }
                output.set("started", Json.tree(logged.accepted().started()));
                yield Recording.then(
                        new StepCompleted(step, it, p.input(), output, Optional.empty(), p.next()), p.next());
            }
            case Outcome.TimedOut t ->
                Recording.then(new AwaitTimedOut(step, it, t.next(), EventIntake.head(tx)), t.next());
            case Outcome.Nothing n -> throw new IllegalStateException("nothing to record: " + n.why());
            case Outcome.Fork fork -> throw new IllegalStateException("forks are recorded apart");
            case Outcome.Items items -> throw new IllegalStateException("items are recorded apart");
            case Outcome.Turn turn -> throw new IllegalStateException("turns are recorded apart");
            case Outcome.Call call -> throw new IllegalStateException("calls are recorded apart");
            case Outcome.UndoChild child -> throw new IllegalStateException("an undo is recorded apart");
        };
    }

    private static TaskOpened review(
            Lease lease, CompiledPlaybook playbook, RunState state, Outcome.Review r, Instant now) {
        ObjectNode details = provenance(playbook, state);
        details.set("input", r.input());
        details.set("output", r.output());
        details.put("agent", r.agent());
        details.put("rule", r.rule());
        if (r.blocked()) {
            details.put("blocked", true);
        }
        return new TaskOpened(
                Ids.next("t", now),
                lease.step(),
                lease.iteration(),
                "review",
                (r.blocked() ? "Blocked: fix or reject the output of " : "Review the output of ") + r.agent() + " for "
                        + describeSubject(state),
                r.explanation(),
                details,
                r.output(),
                r.blocked() ? List.of("edit", "reject") : List.of("approve", "edit", "reject"),
                r.input(),
                Optional.of(r.agent()));
    }

    private static TaskOpened draft(
            Lease lease, CompiledPlaybook playbook, RunState state, Outcome.Draft d, Instant now) {
        ObjectNode details = provenance(playbook, state);
        details.set("input", d.input());
        details.set("draft", d.draft());
        details.put("agent", d.agent());
        d.shadow().ifPresent(shadow -> details.set("shadow", shadow));
        return new TaskOpened(
                Ids.next("t", now),
                lease.step(),
                lease.iteration(),
                "draft",
                d.title(),
                d.explanation(),
                details,
                d.draft(),
                d.editOnly() ? List.of("edit", "reject") : List.of("approve", "edit", "reject"),
                d.input(),
                Optional.of(d.agent()));
    }

    private static TaskOpened ask(Lease lease, CompiledPlaybook playbook, RunState state, Outcome.Ask a, Instant now) {
        ObjectNode details = provenance(playbook, state);
        details.set("show", a.input());
        ObjectNode proposed = Json.object();
        proposed.put("approved", true);
        return new TaskOpened(
                Ids.next("t", now),
                lease.step(),
                lease.iteration(),
                "approval",
                a.title(),
                "Step '" + lease.step() + "' of playbook " + playbook.name() + " asks for your approval",
                details,
                proposed,
                List.of("approve", "reject"),
                a.input(),
                Optional.empty());
    }

    private static ObjectNode provenance(CompiledPlaybook playbook, RunState state) {
        ObjectNode details = Json.object();
        details.put("run", state.id);
        details.put("subject", state.subject);
        details.put("playbook", playbook.name() + "@" + playbook.version());
        details.put(
                "trigger",
                state.trigger.path("type").asText() + " "
                        + state.trigger.path("id").asText());
        return details;
    }

    private static String describeSubject(RunState state) {
        return state.subject.isEmpty() ? "run " + state.id : state.subject;
    }
}
