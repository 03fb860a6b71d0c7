package dev.aios.kernel.internal.engine;

import static dev.aios.kernel.internal.engine.Decisions.NOW;
import static dev.aios.kernel.internal.engine.Decisions.PLAYBOOK;
import static dev.aios.kernel.internal.engine.Decisions.assertEntries;
import static dev.aios.kernel.internal.engine.Decisions.assertFolds;
import static dev.aios.kernel.internal.engine.Decisions.completed;
import static dev.aios.kernel.internal.engine.Decisions.concat;
import static dev.aios.kernel.internal.engine.Decisions.followed;
import static dev.aios.kernel.internal.engine.Decisions.run;
import static dev.aios.kernel.internal.engine.Decisions.started;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Event;
import dev.aios.kernel.Accepted;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationStarted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationTarget;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.WorkKind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What recording a work item's outcome appends, decided without a store: one row per situation, the
 * run as it stood, the outcome, and the entries expected (which must also fold onto the run).
 */
class StepOutcomesTest {

    record Case(
            String says, Lease lease, RunState state, Outcome outcome, StepOutcomes.Facts facts, String[] expected) {
        @Override
        public String toString() {
            return says;
        }
    }

    static Case row(String says, Lease lease, RunState state, Outcome outcome, String... expected) {
        return new Case(says, lease, state, outcome, facts(), expected);
    }

    static StepOutcomes.Facts facts() {
        return new StepOutcomes.Facts(() -> "t-1", 0, Optional.empty(), 0, List::of);
    }

    static Lease lease(String step, int iteration, WorkKind kind, int attempt) {
        return new Lease("r-1", step, iteration, kind, attempt, "node-1/1", NOW.plusSeconds(60));
    }

    static final ObjectNode ORDER = Json.object().put("order", "o-1");
    static final ObjectNode CHARGED = Json.object().put("order", "o-1").put("reference", "ch-1");

    /** The run with the charge completed and the ship step started {@code attempts} times. */
    static RunState shipping(int attempts) {
        return run(concat(
                completed("charge", StepKind.AGENT, CHARGED, "ship"), started("ship", 0, StepKind.AGENT, attempts)));
    }

    static List<StepCompleted> chargeCompleted() {
        return List.of(new StepCompleted("charge", 0, ORDER, CHARGED, Optional.of("charge@1.0.0"), "ship"));
    }

    /** The run being undone: charge completed, then undoing it began. */
    static RunState undoing() {
        var entries = concat(
                completed("charge", StepKind.AGENT, CHARGED, "ship"),
                started("ship", 0, StepKind.AGENT, 1),
                List.of(
                        new CompensationStarted(
                                "the address is wrong", List.of(new CompensationTarget("charge", 0, CHARGED))),
                        new CompensationScheduled("charge", 0)));
        return run(entries);
    }

    static Stream<Case> steps() {
        var charging = run(concat(started("charge", 0, StepKind.AGENT, 1)));
        return Stream.of(
                row(
                        "a completed step schedules the next one",
                        lease("charge", 0, WorkKind.STEP, 1),
                        charging,
                        new Outcome.Completed(ORDER, CHARGED, Optional.of("charge@1.0.0"), "ship"),
                        "StepCompleted step=charge iteration=0 output.reference=ch-1 agent=charge@1.0.0 next=ship",
                        "StepScheduled step=ship iteration=0 kind=agent visibleAt=2026-03-02T09:00:00Z"),
                row(
                        "what a step used is noted before its output",
                        lease("charge", 0, WorkKind.STEP, 1),
                        charging,
                        new Outcome.Completed(
                                ORDER,
                                CHARGED,
                                Optional.empty(),
                                "ship",
                                List.of(Json.object().put("kind", "recall"))),
                        "StepNoted step=charge notes.0.kind=recall",
                        "StepCompleted step=charge",
                        "StepScheduled step=ship"),
                row(
                        "a step going to the end completes the run",
                        lease("chase", 0, WorkKind.STEP, 1),
                        run(concat(started("chase", 0, StepKind.AGENT, 1))),
                        new Outcome.Completed(ORDER, ORDER, Optional.empty(), "end"),
                        "StepCompleted step=chase next=end",
                        "RunCompleted"),
                row(
                        "a step entered before is scheduled with its next iteration",
                        lease("chase", 0, WorkKind.STEP, 1),
                        run(concat(
                                started("deliver", 0, StepKind.AWAIT, 1),
                                List.of(new JournalEntry.AwaitTimedOut("deliver", 0, "chase", 3)),
                                started("chase", 0, StepKind.AGENT, 1))),
                        new Outcome.Completed(ORDER, ORDER, Optional.empty(), "deliver"),
                        "StepCompleted step=chase",
                        "StepScheduled step=deliver iteration=1 kind=await"),
                row(
                        "a failed attempt with attempts left is tried again after its backoff",
                        lease("charge", 0, WorkKind.STEP, 1),
                        charging,
                        new Outcome.Failed(
                                ORDER, "IllegalStateException: network glitch", true, "IllegalStateException"),
                        "StepFailed step=charge attempt=1 error~'network glitch' retryAt=2026-03-02T09:00:01Z"),
                row(
                        "the last attempt failing parks the step for the operator",
                        lease("charge", 0, WorkKind.STEP, 3),
                        run(concat(started("charge", 0, StepKind.AGENT, 3))),
                        new Outcome.Failed(ORDER, "IllegalStateException: down", true, "IllegalStateException"),
                        "StepFailed step=charge attempt=3 retryAt=''",
                        "TaskOpened task=t-1 step=charge kind=dead-letter options=[\"retry\",\"skip\",\"compensate\",\"cancel\"]"
                                + " explanation~'failed 3 times; the last error: IllegalStateException: down'"
                                + " details.attempts=3 input.order=o-1"),
                row(
                        "an error the step does not retry parks it at once",
                        lease("chase", 0, WorkKind.STEP, 1),
                        run(concat(started("chase", 0, StepKind.AGENT, 1))),
                        new Outcome.Failed(ORDER, "the address is not deliverable", false),
                        "StepFailed step=chase attempt=1 retryAt=''",
                        "TaskOpened kind=dead-letter explanation~'trying again would not help'"),
                row(
                        "a step that declares it undoes the run on failure parks when nothing can be undone",
                        lease("ship", 0, WorkKind.STEP, 2),
                        shipping(2),
                        new Outcome.Failed(ORDER, "carrier is down", true, "IOException"),
                        "StepFailed step=ship attempt=2 retryAt=''",
                        "TaskOpened kind=dead-letter"),
                new Case(
                        "a step that declares it undoes the run on failure undoes it, newest step first",
                        lease("ship", 0, WorkKind.STEP, 1),
                        shipping(1),
                        new Outcome.Failed(
                                ORDER, "IllegalArgumentException: no such warehouse", true, "IllegalArgumentException"),
                        new StepOutcomes.Facts(() -> "t-1", 0, Optional.empty(), 0, StepOutcomesTest::chargeCompleted),
                        new String[] {
                            "StepFailed step=ship retryAt=''",
                            "CompensationStarted reason~'trying again would not help' targets.0.step=charge"
                                    + " targets.0.output.reference=ch-1",
                            "CompensationScheduled step=charge iteration=0"
                        }),
                row(
                        "an attempt that could not start waits without using up its attempt",
                        lease("charge", 0, WorkKind.STEP, 1),
                        charging,
                        new Outcome.Deferred(
                                "breaker", "the circuit breaker of 'payments' is open", NOW.plusSeconds(30)),
                        "StepDeferred step=charge attempt=1 until=2026-03-02T09:00:30Z reason~breaker cause=breaker"),
                row(
                        "an output its approval rule holds back waits for review",
                        lease("charge", 0, WorkKind.STEP, 1),
                        charging,
                        new Outcome.Review(
                                ORDER, CHARGED, "charge@1.0.0", "output.amount > 500", "over the limit", List.of()),
                        "TaskOpened kind=review proposed.reference=ch-1 agent=charge@1.0.0 details.rule='output.amount > 500'"
                                + " details.playbook~checkout@ details.trigger='order.placed e-1' title~acme"),
                row(
                        "an agent that could not finish hands the operator its draft",
                        lease("charge", 0, WorkKind.STEP, 1),
                        charging,
                        new Outcome.Draft(ORDER, "Write to acme", "no model", CHARGED, "charge@1.0.0", List.of()),
                        "TaskOpened kind=draft title='Write to acme' proposed.reference=ch-1"),
                row(
                        "an approval step asks the operator",
                        lease("confirm", 0, WorkKind.STEP, 1),
                        run(concat(started("confirm", 0, StepKind.APPROVAL, 1))),
                        new Outcome.Ask(ORDER, "Ship it?"),
                        "TaskOpened kind=approval title='Ship it?' proposed.approved=true options=[\"approve\",\"reject\"]"),
                row(
                        "a wait step sleeps until its time",
                        lease("hold", 0, WorkKind.STEP, 1),
                        run(concat(started("hold", 0, StepKind.WAIT, 1))),
                        new Outcome.Sleep(ORDER, NOW.plus(Duration.ofHours(1))),
                        "TimerSet step=hold fireAt=2026-03-02T10:00:00Z"),
                row(
                        "an await step with nothing to take waits for its event",
                        lease("deliver", 0, WorkKind.STEP, 1),
                        run(concat(started("deliver", 0, StepKind.AWAIT, 1))),
                        new Outcome.Listen(ORDER, "delivered", NOW.plus(Duration.ofDays(7))),
                        "AwaitStarted step=deliver eventType=delivered timeoutAt=2026-03-09T09:00:00Z"),
                new Case(
                        "an emit step completes with the runs its event started",
                        lease("announce", 0, WorkKind.STEP, 1),
                        run(concat(started("announce", 0, StepKind.EMIT, 1))),
                        new Outcome.Publish(
                                ORDER,
                                new Event("e-2", "order.done", "acme", "aios", NOW, ORDER, "e-1", "e-1"),
                                new EventIntake.Routing(List.of(), List.of(), 1),
                                "end"),
                        new StepOutcomes.Facts(
                                () -> "t-1",
                                0,
                                Optional.of(new Accepted("e-2", false, List.of("r-2"), List.of(), List.of())),
                                0,
                                List::of),
                        new String[] {
                            "StepCompleted step=announce output.eventId=e-2 output.started=[\"r-2\"]", "RunCompleted"
                        }),
                new Case(
                        "an await step that timed out takes its timeout path, noting the events it has seen",
                        lease("deliver", 0, WorkKind.TIMEOUT, 1),
                        run(concat(started("deliver", 0, StepKind.AWAIT, 1))),
                        new Outcome.TimedOut("chase"),
                        new StepOutcomes.Facts(() -> "t-1", 0, Optional.empty(), 42, List::of),
                        new String[] {"AwaitTimedOut step=deliver next=chase seenUpTo=42", "StepScheduled step=chase"}),
                row(
                        "an undo that finished ends the run compensated when it was the last",
                        lease("charge", 0, WorkKind.COMPENSATE, 1),
                        undoing(),
                        new Outcome.Completed(
                                CHARGED, Json.object().put("refund", "re-1"), Optional.of("refund@1.0.0"), "end"),
                        "CompensationCompleted step=charge output.refund=re-1 agent=refund@1.0.0",
                        "RunCompensated"),
                row(
                        "an undo that failed with attempts left is tried again",
                        lease("charge", 0, WorkKind.COMPENSATE, 1),
                        undoing(),
                        new Outcome.Failed(CHARGED, "refund refused", true),
                        "CompensationFailed step=charge attempt=1 retryAt=2026-03-02T09:00:01Z"),
                row(
                        "an undo that failed for good asks the operator",
                        lease("charge", 0, WorkKind.COMPENSATE, 3),
                        undoing(),
                        new Outcome.Failed(CHARGED, "refund refused", true),
                        "CompensationFailed step=charge attempt=3 retryAt=''",
                        "TaskOpened kind=compensation options=[\"retry\",\"skip\"]"
                                + " explanation~'(the address is wrong), but undoing step 'charge' failed: refund refused'"),
                row(
                        "an undo that must wait keeps its attempt",
                        lease("charge", 0, WorkKind.COMPENSATE, 2),
                        undoing(),
                        new Outcome.Deferred("rate-limit", "rate limit", NOW.plusSeconds(5)),
                        "CompensationFailed step=charge attempt=1 retryAt=2026-03-02T09:00:05Z error='rate limit'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("steps")
    void recordsTheOutcome(Case c) {
        var decided = followed(
                StepOutcomes.decide(
                        new StepOutcomes.Situation(c.lease(), PLAYBOOK, c.state(), NOW), c.outcome(), c.facts()),
                c.state(),
                PLAYBOOK);
        assertEntries(decided, c.expected());
        assertFolds(c.state(), decided);
    }

    @Test
    void retriesAreSpreadByThePoliciesJitter() {
        var lease = lease("charge", 0, WorkKind.STEP, 2);
        var state = run(concat(started("charge", 0, StepKind.AGENT, 2)));
        var failed = new Outcome.Failed(ORDER, "glitch", true);
        for (double jitter : new double[] {-1, 0, 0.5}) {
            var facts = new StepOutcomes.Facts(() -> "t-1", jitter, Optional.empty(), 0, List::of);
            var entry = (JournalEntry.StepFailed)
                    StepOutcomes.decide(new StepOutcomes.Situation(lease, PLAYBOOK, state, NOW), failed, facts)
                            .entries()
                            .getFirst();
            // The second backoff is 2 s (1 s, doubled); jitter 0.5 spreads it over 1 to 3 s.
            assertThat(entry.retryAt()).contains(NOW.plusMillis(Math.round(2000 * (1 + 0.5 * jitter))));
        }
    }

    @Test
    void aStepThatCannotRunIsParkedWithItsInput() {
        var state = shipping(1);
        var decided =
                StepOutcomes.cannotRun(lease("ship", 0, WorkKind.STEP, 1), state, "playbook checkout@x is gone", "t-9");
        assertEntries(
                decided,
                "StepFailed step=ship error='playbook checkout@x is gone' retryAt=''",
                "TaskOpened task=t-9 kind=dead-letter explanation~'failed and cannot run: playbook checkout@x is gone'");
        assertFolds(state, decided);
    }
}
