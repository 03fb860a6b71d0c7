package dev.aios.api;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs its steps once for every item of a list, several items at a time. Inside the body the item
 * is the CEL variable named by {@link #as()}, and {@code steps.<id>} are the current iteration's
 * outputs (and, for steps outside the body, the run's). The step's output is the list of what
 * {@link #collect()} yields for each item, in the items' order.
 *
 * <p>A failed iteration follows its failing step's {@code onFailure}: {@code park} puts it in the
 * inbox while the other items go on; {@code compensate} undoes the run.
 *
 * @param id the step's id
 * @param items CEL over the run yielding the list
 * @param as the variable the body sees the item as, e.g. {@code contact}
 * @param steps the body, run for each item
 * @param concurrency how many items run at once, 1 to 1,000
 * @param collect CEL over the body's variables yielding what to keep of an iteration; empty means
 *     the iteration's outputs by step id
 * @param next where the run goes when every item is done
 */
public record ForEachStep(
        String id,
        String items,
        String as,
        List<Step> steps,
        int concurrency,
        Optional<String> collect,
        Optional<String> next)
        implements Step {

    /** How many items run at once when a step does not say. */
    public static final int DEFAULT_CONCURRENCY = 4;

    /** The most items that may run at once. */
    public static final int MAX_CONCURRENCY = 1000;

    /** The variable the body sees the item as when a step does not say. */
    public static final String DEFAULT_AS = "item";

    public ForEachStep {
        Step.checkId(id);
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(as, "as");
        steps = List.copyOf(steps);
        Objects.requireNonNull(collect, "collect");
        Objects.requireNonNull(next, "next");
        if (!as.matches("[a-z][A-Za-z0-9_]{0,63}")) {
            throw new IllegalArgumentException("forEach step '" + id + "': as '" + as
                    + "' must be a variable name: a lower-case letter, then letters, digits or _");
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("forEach step '" + id + "' has no steps; give it at least one");
        }
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("forEach step '" + id + "': concurrency must be between 1 and "
                    + MAX_CONCURRENCY + ", was " + concurrency);
        }
    }

    /** Runs {@code steps} for each item of CEL {@code items}, seen as {@value #DEFAULT_AS}. */
    public static ForEachStep over(String id, String items, Step... steps) {
        return new ForEachStep(
                id, items, DEFAULT_AS, Arrays.asList(steps), DEFAULT_CONCURRENCY, Optional.empty(), Optional.empty());
    }

    /** A copy in which the body sees the item as {@code as}. */
    public ForEachStep withAs(String as) {
        return new ForEachStep(id, items, as, steps, concurrency, collect, next);
    }

    /** A copy running {@code concurrency} items at once. */
    public ForEachStep withConcurrency(int concurrency) {
        return new ForEachStep(id, items, as, steps, concurrency, collect, next);
    }

    /** A copy keeping what CEL {@code collect} yields for each iteration. */
    public ForEachStep withCollect(String collect) {
        return new ForEachStep(id, items, as, steps, concurrency, Optional.of(collect), next);
    }

    /** A copy that continues with {@code next}. */
    public ForEachStep withNext(String next) {
        return new ForEachStep(id, items, as, steps, concurrency, collect, Optional.of(next));
    }

    @Override
    public String kind() {
        return "forEach";
    }
}
