package dev.aios.kernel;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What happened in a period, for the operator's weekly review: the exceptions and how they were
 * handled.
 *
 * @param from the period's start
 * @param to its end (now)
 * @param started runs started in the period
 * @param ended runs that ended in the period, by final status
 * @param answered tasks answered or closed in the period, by kind and decision, most first
 * @param failures steps that failed for good and runs that failed in the period, by cause, most first
 * @param longest the runs that ended in the period and took longest, longest first
 * @param stillOpen tasks still waiting for the operator
 * @param operatorTime how long answered tasks waited for the operator, by kind
 */
public record Digest(
        Instant from,
        Instant to,
        long started,
        List<Count> ended,
        List<Count> answered,
        List<Failure> failures,
        List<Took> longest,
        long stillOpen,
        List<Wait> operatorTime) {

    public Digest {
        ended = List.copyOf(ended);
        answered = List.copyOf(answered);
        failures = List.copyOf(failures);
        longest = List.copyOf(longest);
        operatorTime = List.copyOf(operatorTime);
    }

    /**
     * How long tasks of one kind waited from opening to the operator's answer.
     *
     * @param kind the task kind
     * @param answered tasks of the kind answered in the period
     * @param median the middle wait
     * @param longest the longest wait
     */
    public record Wait(String kind, long answered, Duration median, Duration longest) {}

    /**
     * A number of things of one sort.
     *
     * @param key what was counted, e.g. {@code completed} or {@code review approved}
     * @param count how many
     */
    public record Count(String key, long count) {}

    /**
     * Failures with the same cause.
     *
     * @param cause the error, as the first line of its message
     * @param count how many times it happened
     * @param runs some of the runs it happened in, newest first
     */
    public record Failure(String cause, long count, List<String> runs) {
        public Failure {
            runs = List.copyOf(runs);
        }
    }

    /**
     * A run and how long it took from start to end.
     *
     * @param run the run
     * @param took its duration
     */
    public record Took(RunSummary run, Duration took) {}
}
