package dev.aios.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Chooses the next step: the first case whose CEL condition holds, otherwise {@link #next()}.
 *
 * @param id the step's id
 * @param cases conditions in order
 * @param next where the run goes when no case holds
 */
public record BranchStep(String id, List<Case> cases, Optional<String> next) implements Step {

    /**
     * One branch.
     *
     * @param when CEL over the run
     * @param target the step to go to when it holds
     */
    public record Case(String when, String target) {
        public Case {
            Objects.requireNonNull(when, "when");
            Objects.requireNonNull(target, "target");
        }
    }

    public BranchStep {
        Step.checkId(id);
        cases = List.copyOf(cases);
        Objects.requireNonNull(next, "next");
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("branch step '" + id + "' needs at least one case");
        }
    }

    /** A branch with no cases yet; add them with {@link #withCase}. */
    public static BranchStep of(String id, String when, String target) {
        return new BranchStep(id, List.of(new Case(when, target)), Optional.empty());
    }

    /** A copy with one more case. */
    public BranchStep withCase(String when, String target) {
        var copy = new ArrayList<>(cases);
        copy.add(new Case(when, target));
        return new BranchStep(id, copy, next);
    }

    /** A copy that goes to {@code otherwise} when no case holds. */
    public BranchStep withOtherwise(String otherwise) {
        return new BranchStep(id, cases, Optional.of(otherwise));
    }

    @Override
    public String kind() {
        return "branch";
    }
}
