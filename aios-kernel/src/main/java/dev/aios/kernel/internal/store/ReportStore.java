package dev.aios.kernel.internal.store;

import dev.aios.kernel.Digest;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunSummary;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What the operator's reports count over a period: runs started and ended, answers, failures, waits. */
public interface ReportStore {

    /** A run that failed, or a task that parked a step of it, with the error recorded. */
    record Failure(String runId, String error) {}

    /** How long the operator took to answer a task of {@code kind}. */
    record Wait(String kind, long millis) {}

    /** Runs started at or after {@code since}. */
    long runsStarted(Instant since);

    /** Runs that ended with {@code status} at or after {@code since}. */
    long runsEnded(RunStatus status, Instant since);

    /** Tasks answered since {@code since}, counted by {@code kind status}, most first. */
    List<Digest.Count> answered(Instant since);

    /** Up to {@code limit} dead-letter and failed-undo tasks opened since {@code since}, newest first. */
    List<Failure> parkedSteps(Instant since, int limit);

    /** Up to {@code limit} runs that failed since {@code since}, newest first. */
    List<Failure> failedRuns(Instant since, int limit);

    /** Up to {@code limit} runs that ended since {@code since}, the longest first. */
    List<RunSummary> longest(Instant since, int limit);

    /** Up to {@code limit} answers (not cancellations) given since {@code since}, newest first. */
    List<Wait> waits(Instant since, int limit);

    /** Runs per playbook version ({@code name@version}), all statuses. */
    Map<String, Long> runsPerVersion();
}
