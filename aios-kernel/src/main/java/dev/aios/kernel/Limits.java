package dev.aios.kernel;

import java.time.Duration;
import java.util.Objects;

/**
 * How far the kernel lets one input go, so that no event or playbook can stall or flood it.
 *
 * <pre>{@code
 * Kernel.builder().limits(Limits.DEFAULT.withMaxEventDepth(4))
 * }</pre>
 *
 * @param maxEventDepth the longest chain of runs started one by another through emitted events (an
 *     event from outside starts link 1); an emit that would start the next link parks its step
 *     with a task that explains the loop
 * @param expressionTime the longest one evaluation of a CEL expression may take; it then fails as
 *     the playbook's error
 */
public record Limits(int maxEventDepth, Duration expressionTime) {

    /** Chains of 8 links; expressions of at most 1 s. */
    public static final Limits DEFAULT = new Limits(8, Duration.ofSeconds(1));

    public Limits {
        if (maxEventDepth < 1 || maxEventDepth > 1000) {
            throw new IllegalArgumentException("maxEventDepth must be between 1 and 1000, was " + maxEventDepth);
        }
        Objects.requireNonNull(expressionTime, "expressionTime");
        if (expressionTime.isNegative() || expressionTime.isZero() || expressionTime.toSeconds() > 60) {
            throw new IllegalArgumentException(
                    "expressionTime must be more than 0 and at most 60 s, was " + expressionTime);
        }
    }

    /** These limits with another longest chain of runs started by emitted events. */
    public Limits withMaxEventDepth(int depth) {
        return new Limits(depth, expressionTime);
    }

    /** These limits with another longest evaluation time of one expression. */
    public Limits withExpressionTime(Duration time) {
        return new Limits(maxEventDepth, time);
    }
}
