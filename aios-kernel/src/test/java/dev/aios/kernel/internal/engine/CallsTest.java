package dev.aios.kernel.internal.engine;

import static dev.aios.kernel.internal.engine.Decisions.NOW;
import static dev.aios.kernel.internal.engine.Decisions.assertEntries;
import static dev.aios.kernel.internal.engine.GraphOutcomesTest.then;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.RunStatus;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationStarted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationTarget;
import dev.aios.kernel.internal.journal.JournalEntry.RunCalled;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.StepStarted;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.run.RunState;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What call steps produce, decided without a store: a child started (waited for or not), a child
 * that ended (completed, failed, cancelled) told to its parent, and a call step undone.
 */
class CallsTest {

    static final String PARENT = """
            name: parent
            trigger: order.placed
            steps:
              - id: pay
                call:
                  playbook: child
                  input: { order: event.data.order }
                  wait: WAITS
              - id: chase
                agent: chase
                input: { order: event.data.order }
            """;

    static final String CHILD = """
            name: child
            trigger: child.requested
            steps:
              - id: charge
                agent: charge
                input: { order: event.data.order }
                compensate: { agent: refund, input: { order: steps.charge.order } }
            """;

    static final CompiledPlaybook WAITING = Decisions.compile(PARENT.replace("WAITS", "true"));
    static final CompiledPlaybook NOT_WAITING = Decisions.compile(PARENT.replace("WAITS", "false"));
    static final CompiledPlaybook CHILD_PLAYBOOK = Decisions.compile(CHILD);

    static final Outcome.Call CALL = new Outcome.Call(Json.object().put("order", "o-1"), "child", true);

    /** The parent at its call step, started. */
    static RunState calling(CompiledPlaybook playbook) {
        return Decisions.run(
                playbook,
                new StepScheduled("pay", 0, StepKind.CALL, NOW),
                new StepStarted("pay", 0, 1, "node-1", false));
    }

    static Calls.Started started(CompiledPlaybook playbook, boolean waits) {
        var call = new Outcome.Call(CALL.input(), "child", waits);
        return (Calls.Started) Calls.start(
                calling(playbook),
                playbook,
                "pay",
                call,
                Optional.of(CHILD_PLAYBOOK),
                () -> "r-2",
                41,
                NOW,
                GraphOutcomes.Facts.NONE);
    }

    @Test
    void aCallThatWaitsStartsTheChildAndLeavesTheStepWaiting() {
        var started = started(WAITING, true);
        assertThat(started.childId()).isEqualTo("r-2");
        assertEntries(
                started.child(),
                "RunStarted playbook=child trigger.seq=41 trigger.id=call:r-1:pay:0 trigger.data.order=o-1"
                        + " trigger.causationId=r-1 trigger.correlationId=e-1",
                "RunCalled parentRun=r-1 step=pay iteration=0 depth=1",
                "StepScheduled step=charge iteration=0");
        assertEntries(started.parent(), "ChildStarted step=pay run=r-2 playbook=child waits=true");
    }

    @Test
    void aCallThatDoesNotWaitCompletesAtOnceWithTheChildsId() {
        var started = started(NOT_WAITING, false);
        assertEntries(
                started.parent(),
                "ChildStarted step=pay run=r-2 waits=false",
                "StepCompleted step=pay output.run=r-2 output.playbook=child next=chase",
                "StepScheduled step=chase");
    }

    @Test
    void aCallIsRefusedWhenThePlaybookIsMissingOrCallsNestTooDeep() {
        var missing = Calls.start(
                calling(WAITING),
                WAITING,
                "pay",
                CALL,
                Optional.empty(),
                () -> "r-2",
                0,
                NOW,
                GraphOutcomes.Facts.NONE);
        assertThat(missing)
                .isEqualTo(new Calls.Refused("there is no active playbook 'child' to call; load it and retry"));
        var deep = calling(WAITING);
        then(deep, List.of(new RunCalled("r-0", "x", 0, Calls.MAX_DEPTH)));
        assertThat(Calls.start(
                        deep,
                        WAITING,
                        "pay",
                        CALL,
                        Optional.of(CHILD_PLAYBOOK),
                        () -> "r-2",
                        0,
                        NOW,
                        GraphOutcomes.Facts.NONE))
                .isInstanceOfSatisfying(
                        Calls.Refused.class, r -> assertThat(r.why()).contains("nested more than 10 deep"));
    }

    /** The parent waiting for its child, and the child ended with {@code status}. */
    static RunState[] ended(CompiledPlaybook playbook, boolean waits, RunStatus status, String error) {
        var parent = calling(playbook);
        var started = started(playbook, waits);
        then(parent, started.parent());
        var child = then(dev.aios.kernel.internal.run.RunFold.empty("r-2"), started.child());
        child.status = status;
        child.error = error;
        child.steps.set("charge", Json.object().put("reference", "ch-1"));
        return new RunState[] {parent, child};
    }

    static final GraphOutcomes.Facts NONE_COMPLETED = new GraphOutcomes.Facts(List::of, (b, i) -> {
        throw new AssertionError("no item is read");
    });

    @Test
    void aChildThatCompletedCompletesTheCallStepWithItsOutputs() {
        var runs = ended(WAITING, true, RunStatus.COMPLETED, null);
        var entries = Calls.ended(runs[0], () -> WAITING, runs[1], NOW, NONE_COMPLETED, () -> "t-1");
        assertEntries(
                entries,
                "ChildEnded step=pay run=r-2 status=completed reason=''",
                "StepCompleted step=pay output.charge.reference=ch-1 next=chase",
                "StepScheduled step=chase");
        Decisions.assertFolds(runs[0], entries);
    }

    @Test
    void aChildThatFailedParksTheCallStepForTheOperator() {
        var runs = ended(WAITING, true, RunStatus.FAILED, "the card was declined");
        var entries = Calls.ended(runs[0], () -> WAITING, runs[1], NOW, NONE_COMPLETED, () -> "t-1");
        assertEntries(
                entries,
                "ChildEnded status=failed reason='the card was declined'",
                "StepFailed step=pay error~'ended failed: the card was declined'",
                "TaskOpened task=t-1 step=pay kind=dead-letter");
        Decisions.assertFolds(runs[0], entries);
    }

    @Test
    void aChildThatWasCancelledParksTheCallStepToo() {
        var runs = ended(WAITING, true, RunStatus.CANCELLED, "customer withdrew");
        var entries = Calls.ended(runs[0], () -> WAITING, runs[1], NOW, NONE_COMPLETED, () -> "t-1");
        assertEntries(
                entries,
                "ChildEnded status=cancelled",
                "StepFailed error~'ended cancelled: customer withdrew'",
                "TaskOpened kind=dead-letter");
    }

    @Test
    void aChildNobodyWaitsForIsOnlyNoted() {
        var runs = ended(NOT_WAITING, false, RunStatus.FAILED, "oops");
        var entries = Calls.ended(
                runs[0],
                () -> {
                    throw new AssertionError("the playbook is not needed");
                },
                runs[1],
                NOW,
                NONE_COMPLETED,
                () -> "t-1");
        assertEntries(entries, "ChildEnded status=failed");
    }

    @Test
    void undoingACallStepUndoesACompletedChildAndWaitsForIt() {
        var runs = ended(WAITING, true, RunStatus.COMPLETED, null);
        var parent = runs[0];
        then(parent, Calls.ended(parent, () -> WAITING, runs[1], NOW, NONE_COMPLETED, () -> "t-1"));
        var target = new CompensationTarget("pay", 0, Json.object());
        then(
                parent,
                List.of(new CompensationStarted("chase failed", List.of(target)), new CompensationScheduled("pay", 0)));
        List<JournalEntry> childUndo = List.of(
                new CompensationStarted("parent undone", List.of(new CompensationTarget("charge", 0, Json.object()))),
                new CompensationScheduled("charge", 0));
        var undo = Calls.undo(parent, WAITING, "pay", 0, runs[1], () -> childUndo, NOW, NONE_COMPLETED);
        assertThat(undo.child()).isEqualTo(childUndo);
        assertEntries(undo.parent(), "ChildUndoing step=pay run=r-2");

        var nothing = Calls.undo(parent, WAITING, "pay", 0, runs[1], List::of, NOW, NONE_COMPLETED);
        assertThat(nothing.child()).isEmpty();
        assertEntries(
                nothing.parent(),
                "CompensationCompleted step=pay output.run=r-2 output.status=completed",
                "RunCompensated");
    }

    @Test
    void aChildStillRunningOrAlreadyEndedOtherwiseHasNothingToUndo() {
        var runs = ended(WAITING, true, RunStatus.CANCELLED, "gone");
        var parent = runs[0];
        then(
                parent,
                List.of(
                        new StepCompleted("pay", 0, Json.object(), Json.object(), Optional.empty(), "chase"),
                        new CompensationStarted("undo", List.of(new CompensationTarget("pay", 0, Json.object()))),
                        new CompensationScheduled("pay", 0)));
        var undo = Calls.undo(
                parent,
                WAITING,
                "pay",
                0,
                runs[1],
                () -> {
                    throw new AssertionError("only a completed child is undone");
                },
                NOW,
                NONE_COMPLETED);
        assertEntries(undo.parent(), "CompensationCompleted output.status=cancelled", "RunCompensated");
    }
}
