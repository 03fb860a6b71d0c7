package dev.aios.kernel.internal.engine;

import java.time.Instant;

/**
 * A work item held by this node until {@code until}.
 *
 * @param runId the run
 * @param step the step
 * @param iteration the step's iteration
 * @param kind {@code step} (execute it), {@code timer} (a wait is over), {@code timeout} (an
 *     await gave up), {@code compensate} (undo it) or {@code escalate} (its open task is due to
 *     escalate)
 * @param attempt the attempt number of a {@code step} item, starting at 1
 * @param owner this lease's owner token
 * @param until when the lease expires
 */
record Lease(String runId, String step, int iteration, String kind, int attempt, String owner, Instant until) {}
