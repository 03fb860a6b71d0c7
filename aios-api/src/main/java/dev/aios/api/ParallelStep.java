package dev.aios.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs named branches at the same time, each a list of steps, and goes on when the {@link Join}
 * says so. The outputs of a branch's steps are {@code steps.<id>.<branch>.<step>}; branches that
 * did not finish (cancelled by an {@code any} or {@code atLeast} join) are absent. Cancelled
 * branches are undone: their completed steps that declare a compensation are compensated, newest
 * first, before the run goes on.
 *
 * @param id the step's id
 * @param branches branch name to its steps, in the order written
 * @param join when the parallel step is done
 * @param next where the run goes once it is
 */
public record ParallelStep(String id, Map<String, List<Step>> branches, Join join, Optional<String> next)
        implements Step {

    /** When a parallel step is done: when all branches are, or when some number of them are. */
    public record Join(Kind kind, int count) {

        /** How many branches must finish. */
        public enum Kind {
            /** Every branch. */
            ALL,
            /** The first one; the others are cancelled. */
            ANY,
            /** {@code count} of them; the others are cancelled. */
            AT_LEAST
        }

        public Join {
            Objects.requireNonNull(kind, "kind");
            if (kind == Kind.AT_LEAST && count < 1) {
                throw new IllegalArgumentException("join atLeast needs a count of 1 or more, was " + count);
            }
            if (kind != Kind.AT_LEAST) {
                count = kind == Kind.ANY ? 1 : 0;
            }
        }

        /** Every branch must finish. */
        public static Join all() {
            return new Join(Kind.ALL, 0);
        }

        /** The first branch to finish wins; the others are cancelled. */
        public static Join any() {
            return new Join(Kind.ANY, 1);
        }

        /** The first {@code count} branches to finish win; the others are cancelled. */
        public static Join atLeast(int count) {
            return new Join(Kind.AT_LEAST, count);
        }

        /** How many branches must finish out of {@code branches}. */
        public int required(int branches) {
            return kind == Kind.ALL ? branches : count;
        }

        @Override
        public String toString() {
            return switch (kind) {
                case ALL -> "all";
                case ANY -> "any";
                case AT_LEAST -> "atLeast " + count;
            };
        }
    }

    public ParallelStep {
        Step.checkId(id);
        Objects.requireNonNull(branches, "branches");
        Objects.requireNonNull(join, "join");
        Objects.requireNonNull(next, "next");
        var copy = new LinkedHashMap<String, List<Step>>();
        branches.forEach((name, steps) -> {
            if (name == null || !Step.Ids.STEP.matcher(name).matches()) {
                throw new IllegalArgumentException("parallel step '" + id + "': branch name '" + name
                        + "' must start with a letter and contain only letters, digits, '-' and '_'");
            }
            var list = List.copyOf(steps);
            if (list.isEmpty()) {
                throw new IllegalArgumentException(
                        "parallel step '" + id + "': branch '" + name + "' has no steps; give it at least one");
            }
            copy.put(name, list);
        });
        if (copy.size() < 2) {
            throw new IllegalArgumentException("parallel step '" + id + "' needs at least two branches, has "
                    + copy.size() + "; a single branch is just a sequence of steps");
        }
        if (join.required(copy.size()) > copy.size()) {
            throw new IllegalArgumentException("parallel step '" + id + "' joins when " + join.count()
                    + " branches finish but has only " + copy.size());
        }
        branches = Collections.unmodifiableMap(copy);
    }

    /** A parallel step with no branches yet; add them with {@link #withBranch}, at least two. */
    public static Builder of(String id) {
        return new Builder(id);
    }

    /** A copy with another join. */
    public ParallelStep withJoin(Join join) {
        return new ParallelStep(id, branches, join, next);
    }

    /** A copy with one more branch. */
    public ParallelStep withBranch(String name, Step... steps) {
        var copy = new LinkedHashMap<>(branches);
        copy.put(name, List.of(steps));
        return new ParallelStep(id, copy, join, next);
    }

    /** A copy that continues with {@code next}. */
    public ParallelStep withNext(String next) {
        return new ParallelStep(id, branches, join, Optional.of(next));
    }

    @Override
    public String kind() {
        return "parallel";
    }

    /** Collects branches until there are enough for a {@link ParallelStep}. */
    public static final class Builder {
        private final String id;
        private final Map<String, List<Step>> branches = new LinkedHashMap<>();
        private Join join = Join.all();
        private Optional<String> next = Optional.empty();

        private Builder(String id) {
            this.id = Step.checkId(id);
        }

        /** Adds a branch named {@code name} running {@code steps} in order. */
        public Builder branch(String name, Step... steps) {
            branches.put(name, new ArrayList<>(Arrays.asList(steps)));
            return this;
        }

        /** Sets the join (all by default). */
        public Builder join(Join join) {
            this.join = Objects.requireNonNull(join, "join");
            return this;
        }

        /** Sets where the run goes once the join is satisfied. */
        public Builder next(String next) {
            this.next = Optional.of(next);
            return this;
        }

        /** The step. */
        public ParallelStep build() {
            return new ParallelStep(id, branches, join, next);
        }
    }
}
