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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.ConflictException;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskOption;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationFailed;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationStarted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationTarget;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepFailed;
import dev.aios.kernel.internal.journal.JournalEntry.TaskOpened;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.WorkKey;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the operator's answers append, decided without a store: one row per task, answer and output,
 * with the entries expected (which must also fold onto the run); and the answers refused.
 */
class AnswersTest {
    static final ObjectNode ORDER = Json.object().put("order", "o-1");
    static final ObjectNode CHARGED = Json.object().put("order", "o-1").put("reference", "ch-1");
    static final ObjectNode EDITED = Json.object().put("order", "o-1").put("reference", "by hand");

    record Case(
            String says, Kind task, TaskAnswer answer, Optional<JsonNode> output, boolean undoable, String[] expected) {
        @Override
        public String toString() {
            return says;
        }
    }

    /** The tasks the rows answer, each with its run. */
    enum Kind {
        REVIEW,
        APPROVAL,
        DEAD_LETTER,
        UNDO_FAILED
    }

    static TaskOpened opened(String step, TaskKind kind, JsonNode proposed, List<TaskOption> options) {
        return new TaskOpened(
                "t-1", step, 0, kind, "title", "why", Json.object(), proposed, options, ORDER, Optional.empty());
    }

    static RunState runWith(Kind kind) {
        var charged = completed("charge", StepKind.AGENT, CHARGED, "ship");
        return switch (kind) {
            case REVIEW ->
                run(concat(
                        started("charge", 0, StepKind.AGENT, 1),
                        List.of(opened(
                                "charge", TaskKind.REVIEW, CHARGED, List.of(TaskOption.APPROVE, TaskOption.REJECT)))));
            case APPROVAL ->
                run(concat(
                        charged,
                        started("ship", 0, StepKind.AGENT, 1),
                        List.of(new StepCompleted("ship", 0, ORDER, ORDER, Optional.empty(), "confirm")),
                        started("confirm", 0, StepKind.APPROVAL, 1),
                        List.of(opened(
                                "confirm", TaskKind.APPROVAL, Json.object().put("approved", true), List.of()))));
            case DEAD_LETTER ->
                run(concat(
                        charged,
                        started("ship", 0, StepKind.AGENT, 2),
                        List.of(
                                new StepFailed("ship", 0, 2, ORDER, "carrier is down", Optional.empty()),
                                opened("ship", TaskKind.DEAD_LETTER, Json.object(), List.of()))));
            case UNDO_FAILED ->
                run(concat(
                        charged,
                        started("ship", 0, StepKind.AGENT, 1),
                        List.of(
                                new CompensationStarted(
                                        "cancelled", List.of(new CompensationTarget("charge", 0, CHARGED))),
                                new CompensationScheduled("charge", 0),
                                new CompensationFailed("charge", 0, 3, CHARGED, "refund refused", Optional.empty()),
                                opened("charge", TaskKind.COMPENSATION, Json.object(), List.of()))));
        };
    }

    static Answers.Answering answering(Kind kind, RunState state, boolean undoable) {
        var taskKind =
                switch (kind) {
                    case REVIEW -> TaskKind.REVIEW;
                    case APPROVAL -> TaskKind.APPROVAL;
                    case DEAD_LETTER -> TaskKind.DEAD_LETTER;
                    case UNDO_FAILED -> TaskKind.COMPENSATION;
                };
        String step =
                switch (kind) {
                    case REVIEW, UNDO_FAILED -> "charge";
                    case APPROVAL -> "confirm";
                    case DEAD_LETTER -> "ship";
                };
        var proposed = kind == Kind.REVIEW ? CHARGED : Json.object();
        var options =
                switch (kind) {
                    case REVIEW -> List.of(TaskOption.APPROVE, TaskOption.EDIT, TaskOption.REJECT);
                    case APPROVAL -> List.of(TaskOption.APPROVE, TaskOption.REJECT);
                    case DEAD_LETTER ->
                        List.of(TaskOption.RETRY, TaskOption.SKIP, TaskOption.COMPENSATE, TaskOption.CANCEL);
                    case UNDO_FAILED -> List.of(TaskOption.RETRY, TaskOption.SKIP);
                };
        var task = new Answers.OpenTask("t-1", new WorkKey("r-1", step, 0), taskKind, proposed, options);
        List<StepCompleted> completed = undoable
                ? List.of(new StepCompleted("charge", 0, ORDER, CHARGED, Optional.empty(), "ship"))
                : List.of();
        // The contract check marks what it checked, so the rows can see it ran.
        return new Answers.Answering(
                task, state, PLAYBOOK, NOW, "my words", () -> completed, (s, out) -> ((ObjectNode) out.deepCopy())
                        .put("checked", true));
    }

    static Case row(
            String says,
            Kind task,
            TaskAnswer answer,
            Optional<JsonNode> output,
            boolean undoable,
            String... expected) {
        return new Case(says, task, answer, output, undoable, expected);
    }

    static Stream<Case> answers() {
        return Stream.of(
                row(
                        "approving a review completes the step with the output as proposed",
                        Kind.REVIEW,
                        TaskAnswer.APPROVE,
                        Optional.empty(),
                        false,
                        "TaskResolved task=t-1 decision=approved output.reference=ch-1 comment='my words'",
                        "StepCompleted step=charge output.reference=ch-1 input.order=o-1 next=ship",
                        "StepScheduled step=ship iteration=0"),
                row(
                        "approving a review with an edit completes it with the edit, checked against the contract",
                        Kind.REVIEW,
                        TaskAnswer.APPROVE,
                        Optional.of(EDITED),
                        false,
                        "TaskResolved decision=approved output.reference='by hand' output.checked=true",
                        "StepCompleted step=charge output.reference='by hand'",
                        "StepScheduled step=ship"),
                row(
                        "rejecting a review undoes what the run did",
                        Kind.REVIEW,
                        TaskAnswer.REJECT,
                        Optional.empty(),
                        true,
                        "TaskResolved decision=rejected",
                        "CompensationStarted reason=\"rejected by the operator at step 'charge': my words\" targets.0.step=charge",
                        "CompensationScheduled step=charge"),
                row(
                        "rejecting a review fails the run when nothing can be undone",
                        Kind.REVIEW,
                        TaskAnswer.REJECT,
                        Optional.empty(),
                        false,
                        "TaskResolved decision=rejected",
                        "RunFailed reason~'rejected by the operator at step'"),
                row(
                        "approving an approval step goes on with the answer",
                        Kind.APPROVAL,
                        TaskAnswer.APPROVE,
                        Optional.of(Json.object().put("note", "fragile")),
                        false,
                        "TaskResolved decision=approved output.approved=true",
                        "StepCompleted step=confirm output.approved=true output.comment='my words' output.edit.note=fragile",
                        "StepScheduled step=hold"),
                row(
                        "rejecting an approval step takes its rejection path",
                        Kind.APPROVAL,
                        TaskAnswer.REJECT,
                        Optional.empty(),
                        true,
                        "TaskResolved decision=rejected",
                        "StepCompleted step=confirm output.approved=false output.reason='my words' next=chase",
                        "StepScheduled step=chase"),
                row(
                        "retrying a parked step schedules it afresh",
                        Kind.DEAD_LETTER,
                        TaskAnswer.RETRY,
                        Optional.empty(),
                        false,
                        "TaskResolved decision=retried",
                        "StepRetried step=ship iteration=0"),
                row(
                        "approving a parked step without an output retries it",
                        Kind.DEAD_LETTER,
                        TaskAnswer.APPROVE,
                        Optional.empty(),
                        false,
                        "TaskResolved decision=retried",
                        "StepRetried step=ship"),
                row(
                        "skipping a parked step goes on with the output supplied, checked against the contract",
                        Kind.DEAD_LETTER,
                        TaskAnswer.SKIP,
                        Optional.of(EDITED),
                        false,
                        "TaskResolved decision=skipped output.checked=true",
                        "StepCompleted step=ship output.reference='by hand' next=confirm",
                        "StepScheduled step=confirm"),
                row(
                        "compensating from a parked step undoes the run",
                        Kind.DEAD_LETTER,
                        TaskAnswer.COMPENSATE,
                        Optional.empty(),
                        true,
                        "TaskResolved decision=compensated",
                        "CompensationStarted reason~'the operator chose to undo the run'",
                        "CompensationScheduled step=charge"),
                row(
                        "rejecting a parked step cancels the run without undoing it",
                        Kind.DEAD_LETTER,
                        TaskAnswer.REJECT,
                        Optional.empty(),
                        true,
                        "TaskResolved decision=cancelled",
                        "RunCancelled reason=\"cancelled by the operator after step 'ship' failed: my words\""),
                row(
                        "retrying a failed undo schedules it again",
                        Kind.UNDO_FAILED,
                        TaskAnswer.RETRY,
                        Optional.empty(),
                        false,
                        "TaskResolved decision=retried",
                        "CompensationScheduled step=charge"),
                row(
                        "skipping the last failed undo ends the run compensated",
                        Kind.UNDO_FAILED,
                        TaskAnswer.SKIP,
                        Optional.empty(),
                        false,
                        "TaskResolved decision=skipped",
                        "CompensationCompleted step=charge output.skipped=true output.comment='my words'",
                        "RunCompensated"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void recordsTheAnswer(Case c) {
        var state = runWith(c.task());
        var decided = followed(
                Answers.decide(answering(c.task(), state, c.undoable()), c.answer(), c.output()), state, PLAYBOOK);
        assertEntries(decided, c.expected());
        assertFolds(state, decided);
    }

    @Test
    void answersATaskDoesNotTakeAreRefusedAndRecordNothing() {
        var review = runWith(Kind.REVIEW);
        assertThatThrownBy(
                        () -> Answers.decide(answering(Kind.REVIEW, review, true), TaskAnswer.RETRY, Optional.empty()))
                .isInstanceOf(ConflictException.class)
                .hasMessage("a review task cannot be answered with retry; answer approve or reject; nothing changed");
        var parked = runWith(Kind.DEAD_LETTER);
        assertThatThrownBy(() ->
                        Answers.decide(answering(Kind.DEAD_LETTER, parked, true), TaskAnswer.SKIP, Optional.empty()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("needs the output to go on with");
        assertThatThrownBy(() -> Answers.decide(
                        answering(Kind.DEAD_LETTER, parked, false), TaskAnswer.COMPENSATE, Optional.empty()))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("nothing in run r-1 can be undone");
        var undo = runWith(Kind.UNDO_FAILED);
        assertThatThrownBy(() ->
                        Answers.decide(answering(Kind.UNDO_FAILED, undo, false), TaskAnswer.REJECT, Optional.empty()))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("answer retry or skip");
    }

    @Test
    void cancellingARunUndoesItWhenItCanAndIsRefusedOnceItEnded() {
        var shipping = run(
                concat(completed("charge", StepKind.AGENT, CHARGED, "ship"), started("ship", 0, StepKind.AGENT, 1)));
        List<JournalEntry> undone = Answers.cancel(
                shipping,
                PLAYBOOK,
                "customer withdrew",
                () -> List.of(new StepCompleted("charge", 0, ORDER, CHARGED, Optional.empty(), "ship")));
        assertEntries(
                undone,
                "CompensationStarted reason='cancelled by the operator: customer withdrew'",
                "CompensationScheduled step=charge");
        assertFolds(shipping, undone);
        assertEntries(
                Answers.cancel(shipping, PLAYBOOK, "", List::of), "RunCancelled reason='cancelled by the operator'");

        var ended =
                run(concat(completed("chase", StepKind.AGENT, ORDER, "end"), List.of(new JournalEntry.RunCompleted())));
        assertThatThrownBy(() -> Answers.cancel(ended, PLAYBOOK, "", List::of))
                .isInstanceOf(ConflictException.class)
                .hasMessage("run r-1 has already ended (completed); nothing to cancel");
        var undoing = runWith(Kind.UNDO_FAILED);
        undoing.status = dev.aios.kernel.RunStatus.COMPENSATING;
        assertThatThrownBy(() -> Answers.cancel(undoing, PLAYBOOK, "", List::of))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("is already being undone");
    }
}
