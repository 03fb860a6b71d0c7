package dev.aios.kernel.internal.engine;

import dev.aios.kernel.TaskOption;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.internal.store.WorkKind;
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
import dev.aios.kernel.internal.journal.JournalEntry.CompensationCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationFailed;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepDeferred;
import dev.aios.kernel.internal.journal.JournalEntry.StepFailed;
import dev.aios.kernel.internal.journal.JournalEntry.StepNoted;
import dev.aios.kernel.internal.journal.JournalEntry.TaskOpened;
import dev.aios.kernel.internal.journal.JournalEntry.TimerSet;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.Tx;
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

    private final Store store;
    private final RunJournal journal;
    private final WorkQueue queue;
    private final EventIntake intake;
    private final InstantSource clock;
    private final Runnable wake;

    Progress(Store store, RunJournal journal, WorkQueue queue, EventIntake intake, InstantSource clock, Runnable wake) {
        this.store = store;
        this.journal = journal;
        this.queue = queue;
        this.intake = intake;
        this.clock = clock;
        this.wake = wake;
    }

    /** Entries to append, then where the run goes, if it goes on now. */
    private record Recording(List<JournalEntry> entries, Optional<String> next) {
        static Recording of(JournalEntry... entries) {
            return new Recording(List.of(entries), Optional.empty());
        }

        static Recording then(JournalEntry entry, String next) {
            return new Recording(List.of(entry), Optional.of(next));
        }
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
            var state = journal.load(tx, lease.runId()).orElseThrow();
            Instant now = clock.instant();
            if (lease.kind() == WorkKind.COMPENSATE) {
                undone(tx, lease, playbook, state, outcome, now);
            } else if (outcome instanceof Outcome.Failed f) {
                failure(tx, lease, playbook, state, f, now);
            } else if (outcome instanceof Outcome.Deferred d) {
                journal.append(
                        tx,
                        state,
                        now,
                        List.of(new StepDeferred(
                                lease.step(), lease.iteration(), lease.attempt(), d.reason(), d.until())));
            } else {
                notes(outcome)
                        .filter(n -> !n.isEmpty())
                        .ifPresent(n -> append(tx, state, now, new StepNoted(lease.step(), lease.iteration(), n)));
                var recording = recording(lease, playbook, state, outcome, now, tx);
                journal.append(tx, state, now, recording.entries());
                if (recording.next().isPresent()) {
                    // The next step's iteration depends on the state after the entries above.
                    journal.append(
                            tx,
                            state,
                            now,
                            List.of(Advance.to(state, playbook, recording.next().get(), now)));
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
        journal.append(tx, state, now, List.of(entry));
    }

    /** Parks a step that cannot run at all, e.g. because its playbook version is gone. */
    void fail(Lease lease, String error) {
        store.write(tx -> {
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
    private void failure(Tx tx, Lease lease, CompiledPlaybook playbook, RunState state, Outcome.Failed f, Instant now)
            {
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
        journal.append(tx, state, now, List.of(deadLetter(lease, f, why, now)));
    }

    /** Records how undoing one step went, and what follows. */
    private void undone(Tx tx, Lease lease, CompiledPlaybook playbook, RunState state, Outcome outcome, Instant now)
            {
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
                journal.append(tx, state, now, List.of(Saga.next(state)));
            }
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
                            List.of(new TaskOpened(
                                    Ids.next("t", now),
                                    step,
                                    it,
                                    TaskKind.COMPENSATION,
                                    "Undoing step '" + step + "' of run " + lease.runId() + " failed",
                                    "The run is being undone (" + state.compensation.reason + "), but undoing step '"
                                            + step + "' failed: " + f.error(),
                                    details,
                                    Json.object(),
                                    List.of(TaskOption.RETRY, TaskOption.SKIP),
                                    f.input(),
                                    Optional.empty())));
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
        return playbook.step(step) instanceof CompiledStep.AgentCall call
                ? call.options()
                : playbook.model().defaults();
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
                TaskKind.DEAD_LETTER,
                "Step '" + lease.step() + "' of run " + lease.runId() + " failed",
                "Step '" + lease.step() + "' " + why,
                details,
                Json.object(),
                List.of(TaskOption.RETRY, TaskOption.SKIP, TaskOption.COMPENSATE, TaskOption.CANCEL),
                f.input(),
                Optional.empty());
    }

    private Recording recording(
            Lease lease, CompiledPlaybook playbook, RunState state, Outcome outcome, Instant now, Tx tx)
            {
        String step = lease.step();
        int it = lease.iteration();
        return switch (outcome) {
            case Outcome.Completed c ->
                Recording.then(new StepCompleted(step, it, c.input(), c.output(), c.agent(), c.next()), c.next());
            case Outcome.Failed f -> throw new IllegalStateException("failures are recorded apart");
            case Outcome.Deferred d -> throw new IllegalStateException("deferrals are recorded apart");
            case Outcome.Review r -> Recording.of(review(lease, playbook, state, r, now));
            case Outcome.Draft d -> Recording.of(draft(lease, playbook, state, d, now));
            case Outcome.Ask a -> Recording.of(ask(lease, playbook, state, a, now));
            case Outcome.Sleep s -> Recording.of(new TimerSet(step, it, s.input(), s.until()));
            case Outcome.Listen l -> {
                var await = (CompiledStep.Await) playbook.step(step);
                var early = intake.earlier(tx, state, await);
                yield early.isPresent()
                        ? Recording.then(
                                new StepCompleted(step, it, l.input(), early.get(), Optional.empty(), await.next()),
                                await.next())
                        : Recording.of(new AwaitStarted(step, it, l.input(), l.eventType(), l.timeoutAt()));
            }
            case Outcome.Publish p -> {
                var accepted = intake.accept(tx, p.event(), now);
                ObjectNode output = Json.object();
                output.put("eventId", p.event().id());
                output.set("started", Json.tree(accepted.started()));
                output.set("resumed", Json.tree(accepted.resumed()));
                yield Recording.then(
                        new StepCompleted(step, it, p.input(), output, Optional.empty(), p.next()), p.next());
            }
            case Outcome.TimedOut t ->
                Recording.then(new AwaitTimedOut(step, it, t.next(), EventIntake.head(tx)), t.next());
            case Outcome.Nothing n -> throw new IllegalStateException("nothing to record: " + n.why());
        };
    }

    private static TaskOpened review(
            Lease lease, CompiledPlaybook playbook, RunState state, Outcome.Review r, Instant now) {
        ObjectNode details = provenance(playbook, state);
        details.set("input", r.input());
        details.set("output", r.output());
        details.put("agent", r.agent());
        details.put("rule", r.rule());
        return new TaskOpened(
                Ids.next("t", now),
                lease.step(),
                lease.iteration(),
                TaskKind.REVIEW,
                "Review the output of " + r.agent() + " for " + describeSubject(state),
                r.explanation(),
                details,
                r.output(),
                List.of(TaskOption.APPROVE, TaskOption.EDIT, TaskOption.REJECT),
                r.input(),
                Optional.of(r.agent()));
    }

    private static TaskOpened draft(
            Lease lease, CompiledPlaybook playbook, RunState state, Outcome.Draft d, Instant now) {
        ObjectNode details = provenance(playbook, state);
        details.set("input", d.input());
        details.set("draft", d.draft());
        details.put("agent", d.agent());
        return new TaskOpened(
                Ids.next("t", now),
                lease.step(),
                lease.iteration(),
                TaskKind.DRAFT,
                d.title(),
                d.explanation(),
                details,
                d.draft(),
                List.of(TaskOption.APPROVE, TaskOption.EDIT, TaskOption.REJECT),
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
                TaskKind.APPROVAL,
                a.title(),
                "Step '" + lease.step() + "' of playbook " + playbook.name() + " asks for your approval",
                details,
                proposed,
                List.of(TaskOption.APPROVE, TaskOption.REJECT),
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
