package dev.aios.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An operator gate: a task in the inbox that the operator approves or rejects.
 *
 * @param id the step's id
 * @param title what the operator is asked, e.g. "Send the proposal to Acme?"
 * @param when CEL over the run; when present and false, the gate is passed without a task
 * @param show label to CEL expression: what the task shows the operator
 * @param next where the run goes after approval
 * @param onReject where the run goes after rejection; empty means the run fails as rejected
 */
public record ApprovalStep(
        String id,
        String title,
        Optional<String> when,
        Map<String, String> show,
        Optional<String> next,
        Optional<String> onReject)
        implements Step {

    public ApprovalStep {
        Step.checkId(id);
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(when, "when");
        show = Copies.orderedMap(show);
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(onReject, "onReject");
    }

    /** A gate asking {@code title}. */
    public static ApprovalStep of(String id, String title) {
        return new ApprovalStep(id, title, Optional.empty(), Map.of(), Optional.empty(), Optional.empty());
    }

    /** A copy that only asks when {@code condition} holds. */
    public ApprovalStep withWhen(String condition) {
        return new ApprovalStep(id, title, Optional.of(condition), show, next, onReject);
    }

    /** A copy that also shows {@code label} computed by CEL {@code expression}. */
    public ApprovalStep withShow(String label, String expression) {
        var copy = new LinkedHashMap<>(show);
        copy.put(label, expression);
        return new ApprovalStep(id, title, when, copy, next, onReject);
    }

    /** A copy that continues with {@code next} after approval. */
    public ApprovalStep withNext(String next) {
        return new ApprovalStep(id, title, when, show, Optional.of(next), onReject);
    }

    /** A copy that continues with {@code onReject} after rejection. */
    public ApprovalStep withOnReject(String onReject) {
        return new ApprovalStep(id, title, when, show, next, Optional.of(onReject));
    }

    @Override
    public String kind() {
        return "approval";
    }
}
