package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.RetryPolicy;
import dev.aios.api.StepOptions;
import dev.aios.api.StepOptions.FailureAction;
import dev.aios.kernel.Accepted;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskOption;
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
import dev.aios.kernel.internal.journal.JournalEntry.TaskEscalated;
import dev.aios.kernel.internal.journal.JournalEntry.TaskOpened;
import dev.aios.kernel.internal.journal.JournalEntry.TimerSet;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.WorkKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What recording the outcome of a work item produces: the journal entries (and with them the next
 * work: a step scheduled, a timer, an await, an undo), decided without touching the store. {@link
 * Progress} gathers the {@link Facts}, calls {@link #decide} and appends what it returns.
 */
final class StepOutcomes {
    private StepOutcomes() {}

    /** The item whose outcome is recorded, in its run as it stands, at {@code now}. */
    record Situation(Lease lease, CompiledPlaybook playbook, RunState state, Instant now) {}

    /**
     * What deciding needs beyond the run, gathered in the transaction that records the outcome.
     *
     * @param taskId the id of a task, should one be opened
     * @param jitter a random number in [-1, 1), which spreads retries by the policy's jitter
     * @param emitted for an emit step: what its event started (it is logged first)
     * @param eventHead for an await step that timed out: the newest event in the log
     * @param completed the run's completed steps, should it be undone
     * @param escalateAt when a task the outcome opens first escalates, if the policy planned that
     */
    record Facts(
            Supplier<String> taskId,
            double jitter,
            Optional<Accepted> emitted,
            long eventHead,
            Supplier<List<StepCompleted>> completed,
            Optional<Instant> escalateAt) {

        /** Facts without an escalation plan. */
        Facts(
                Supplier<String> taskId,
                double jitter,
                Optional<Accepted> emitted,
                long eventHead,
                Supplier<List<StepCompleted>> completed) {
            this(taskId, jitter, emitted, eventHead, completed, Optional.empty());
        }
    }

    /** The entries that record {@code outcome}, in the order they are appended, and what follows. */
    static Decision decide(Situation s, Outcome outcome, Facts facts) {
        var lease = s.lease();
        String step = lease.step();
        int it = lease.iteration();
        if (lease.kind() == WorkKind.COMPENSATE) {
            return undone(s, outcome, facts);
        }
        var entries = new Decision.Builder();
        switch (outcome) {
            case Outcome.Failed f -> entries.addAll(failure(s, f, facts));
            case Outcome.Deferred d ->
                entries.add(new StepDeferred(step, it, lease.attempt(), d.reason(), d.until(), Optional.of(d.cause())));
            case Outcome.Completed c -> {
                noted(entries, step, it, c.notes());
                entries.add(new StepCompleted(step, it, c.input(), c.output(), c.agent(), c.next()));
                entries.then(new Decision.GoOn(step, c.next()));
            }
            case Outcome.Review r -> {
                noted(entries, step, it, r.notes());
                entries.addAll(planned(Tasks.review(s, r, facts.taskId().get()), facts.escalateAt()));
            }
            case Outcome.Draft d -> {
                noted(entries, step, it, d.notes());
                entries.addAll(planned(Tasks.draft(s, d, facts.taskId().get()), facts.escalateAt()));
            }
            case Outcome.Ask a ->
                entries.addAll(planned(Tasks.ask(s, a, facts.taskId().get()), facts.escalateAt()));
            case Outcome.Sleep sleep -> entries.add(new TimerSet(step, it, sleep.input(), sleep.until()));
            // An event that arrived before the wait began is taken later, by the awaits' catch-up.
            case Outcome.Listen l -> entries.add(new AwaitStarted(step, it, l.input(), l.eventType(), l.timeoutAt()));
            case Outcome.Publish p -> {
                var accepted = facts.emitted().orElseThrow(() -> new IllegalStateException("the event was not logged"));
                ObjectNode output = Json.object();
                output.put("eventId", p.event().id());
                if (p.event().type().equals(StepRunner.MESSAGE_TYPE)) {
                    output.put("messageId", p.event().id());
                }
                output.set("started", Json.tree(accepted.started()));
                entries.add(new StepCompleted(step, it, p.input(), output, Optional.empty(), p.next()));
                entries.then(new Decision.GoOn(step, p.next()));
            }
            case Outcome.TimedOut t -> {
                entries.add(new AwaitTimedOut(step, it, t.next(), facts.eventHead()));
                entries.then(new Decision.GoOn(step, t.next()));
            }
            case Outcome.Nothing n -> throw new IllegalStateException("nothing to record: " + n.why());
            case Outcome.Fork f -> throw new IllegalStateException("forks are recorded apart");
            case Outcome.Items i -> throw new IllegalStateException("items are recorded apart");
            case Outcome.Turn t -> throw new IllegalStateException("turns are recorded apart");
            case Outcome.Call c -> throw new IllegalStateException("calls are recorded apart");
            case Outcome.UndoChild u -> throw new IllegalStateException("an undo is recorded apart");
        }
        return entries.build();
    }

    /** A step that cannot run at all (its playbook version is gone, every attempt died): parked. */
    static List<JournalEntry> cannotRun(Lease lease, RunState state, String error, String taskId) {
        var record = state.records.get(lease.step());
        var input = record == null || record.input.isNull() ? Json.object() : record.input;
        var f = new Outcome.Failed(input, error, false);
        return List.of(
                new StepFailed(lease.step(), lease.iteration(), lease.attempt(), f.input(), error, Optional.empty()),
                Tasks.deadLetter(lease, f, "failed and cannot run: " + error, taskId));
    }

    /** A failed attempt: try again after a pause, or park the step (or undo the run, if so declared). */
    private static List<JournalEntry> failure(Situation s, Outcome.Failed f, Facts facts) {
        var lease = s.lease();
        var options = options(s.playbook(), lease.step());
        var policy = options.retry().orElse(RetryPolicy.DEFAULT);
        var retryAt = retryAt(policy, lease, f, s.now(), facts.jitter());
        var failed = new StepFailed(lease.step(), lease.iteration(), lease.attempt(), f.input(), f.error(), retryAt);
        if (retryAt.isPresent()) {
            return List.of(failed);
        }
        String why = f.retryable() && !policy.isNonRetryable(f.errorClass())
                ? "failed " + lease.attempt() + " time" + (lease.attempt() == 1 ? "" : "s") + "; the last error: "
                        + f.error()
                : "failed and trying again would not help: " + f.error();
        var entries = new ArrayList<JournalEntry>();
        entries.add(failed);
        if (options.onFailure().orElse(FailureAction.PARK) == FailureAction.COMPENSATE) {
            var undo = Saga.start(
                    s.playbook(),
                    "step '" + lease.step() + "' " + why,
                    facts.completed().get());
            if (!undo.isEmpty()) {
                entries.addAll(undo);
                return entries;
            }
        }
        entries.addAll(planned(Tasks.deadLetter(lease, f, why, facts.taskId().get()), facts.escalateAt()));
        return entries;
    }

    /** How undoing one step went, and what follows. */
    private static Decision undone(Situation s, Outcome outcome, Facts facts) {
        var lease = s.lease();
        String step = lease.step();
        int it = lease.iteration();
        return switch (outcome) {
            case Outcome.Completed c ->
                new Decision(
                        List.of(new CompensationCompleted(
                                step, it, c.input(), c.output(), c.agent().orElse(""))),
                        new Decision.UndoNext(step, it));
            case Outcome.Failed f -> {
                var policy = options(s.playbook(), step).retry().orElse(RetryPolicy.DEFAULT);
                var retryAt = retryAt(policy, lease, f, s.now(), facts.jitter());
                var failed = new CompensationFailed(step, it, lease.attempt(), f.input(), f.error(), retryAt);
                yield new Decision(
                        retryAt.isPresent()
                                ? List.of(failed)
                                : concat(
                                        failed,
                                        planned(
                                                Tasks.undoFailed(
                                                        s, f, facts.taskId().get()),
                                                facts.escalateAt())),
                        Decision.STOP);
            }
            // The undo waits for its connector like any step; it keeps its attempt.
            case Outcome.Deferred d ->
                new Decision(
                        List.of(new CompensationFailed(
                                step, it, lease.attempt() - 1, Json.object(), d.reason(), Optional.of(d.until()))),
                        Decision.STOP);
            default -> throw new IllegalStateException("an undo cannot end with " + outcome);
        };
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

    private static List<JournalEntry> concat(JournalEntry first, List<JournalEntry> rest) {
        var all = new ArrayList<JournalEntry>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    private static void noted(
            Decision.Builder entries, String step, int it, List<com.fasterxml.jackson.databind.JsonNode> notes) {
        if (!notes.isEmpty()) {
            entries.add(new StepNoted(step, it, notes));
        }
    }

    private static Optional<Instant> retryAt(
            RetryPolicy policy, Lease lease, Outcome.Failed f, Instant now, double jitter) {
        if (!f.retryable() || policy.isNonRetryable(f.errorClass()) || lease.attempt() >= policy.maxAttempts()) {
            return Optional.empty();
        }
        long base = policy.backoff(lease.attempt()).toMillis();
        double spread = policy.jitter() * jitter;
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

    /** The task that parks a step that failed for good ({@code why} says how). */
    static TaskOpened deadLetter(Lease lease, Outcome.Failed f, String why, String taskId) {
        return Tasks.deadLetter(lease, f, why, taskId);
    }

    /** The tasks that outcomes open. */
    private static final class Tasks {
        private Tasks() {}

        static TaskOpened deadLetter(Lease lease, Outcome.Failed f, String why, String taskId) {
            ObjectNode details = Json.object();
            details.set("input", f.input());
            details.put("error", f.error());
            details.put("attempts", lease.attempt());
            return new TaskOpened(
                    taskId,
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

        static TaskOpened undoFailed(Situation s, Outcome.Failed f, String taskId) {
            var lease = s.lease();
            ObjectNode details = Json.object();
            details.set("input", f.input());
            details.put("error", f.error());
            details.put("attempts", lease.attempt());
            return new TaskOpened(
                    taskId,
                    lease.step(),
                    lease.iteration(),
                    TaskKind.COMPENSATION,
                    "Undoing step '" + lease.step() + "' of run " + lease.runId() + " failed",
                    "The run is being undone (" + s.state().compensation.reason + "), but undoing step '" + lease.step()
                            + "' failed: " + f.error(),
                    details,
                    Json.object(),
                    List.of(TaskOption.RETRY, TaskOption.SKIP),
                    f.input(),
                    Optional.empty());
        }

        static TaskOpened review(Situation s, Outcome.Review r, String taskId) {
            ObjectNode details = provenance(s);
            details.set("input", r.input());
            details.set("output", r.output());
            details.put("agent", r.agent());
            details.put("rule", r.rule());
            if (r.blocked()) {
                details.put("blocked", true);
            }
            return new TaskOpened(
                    taskId,
                    s.lease().step(),
                    s.lease().iteration(),
                    TaskKind.REVIEW,
                    (r.blocked() ? "Blocked: fix or reject the output of " : "Review the output of ") + r.agent()
                            + " for " + describeSubject(s.state()),
                    r.explanation(),
                    details,
                    r.output(),
                    r.blocked()
                            ? List.of(TaskOption.EDIT, TaskOption.REJECT)
                            : List.of(TaskOption.APPROVE, TaskOption.EDIT, TaskOption.REJECT),
                    r.input(),
                    Optional.of(r.agent()));
        }

        static TaskOpened draft(Situation s, Outcome.Draft d, String taskId) {
            ObjectNode details = provenance(s);
            details.set("input", d.input());
            details.set("draft", d.draft());
            details.put("agent", d.agent());
            d.shadow().ifPresent(shadow -> details.set("shadow", shadow));
            return new TaskOpened(
                    taskId,
                    s.lease().step(),
                    s.lease().iteration(),
                    TaskKind.DRAFT,
                    d.title(),
                    d.explanation(),
                    details,
                    d.draft(),
                    d.editOnly()
                            ? List.of(TaskOption.EDIT, TaskOption.REJECT)
                            : List.of(TaskOption.APPROVE, TaskOption.EDIT, TaskOption.REJECT),
                    d.input(),
                    Optional.of(d.agent()));
        }

        static TaskOpened ask(Situation s, Outcome.Ask a, String taskId) {
            ObjectNode details = provenance(s);
            details.set("show", a.input());
            ObjectNode proposed = Json.object();
            proposed.put("approved", true);
            return new TaskOpened(
                    taskId,
                    s.lease().step(),
                    s.lease().iteration(),
                    TaskKind.APPROVAL,
                    a.title(),
                    "Step '" + s.lease().step() + "' of playbook "
                            + s.playbook().name() + " asks for your approval",
                    details,
                    proposed,
                    List.of(TaskOption.APPROVE, TaskOption.REJECT),
                    a.input(),
                    Optional.empty());
        }

        private static ObjectNode provenance(Situation s) {
            var state = s.state();
            ObjectNode details = Json.object();
            details.put("run", state.id);
            details.put("subject", state.subject);
            details.put("playbook", s.playbook().name() + "@" + s.playbook().version());
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
}
