package dev.aios.kernel;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * How much is going on, cheaply counted.
 *
 * @param runs the number of runs in each status (every status present, zero when none)
 * @param openTasks tasks waiting for the operator
 * @param storageFailure why the database cannot be written, while that lasts: nothing new is
 *     accepted until it can
 * @param commits transactions the writer committed since the kernel started
 * @param writeUnits units of work (a lease, a step's outcome, an event) those transactions
 *     carried: with group commit, many per transaction
 * @param openTasksByKind open tasks by kind ({@code approval}, {@code review}, {@code
 *     dead-letter}, …): how many, and since when the oldest waits
 * @param queue the work queue: what is due, held by a worker, or scheduled for later
 */
public record Overview(
        Map<RunStatus, Long> runs,
        long openTasks,
        Optional<String> storageFailure,
        long commits,
        long writeUnits,
        Map<String, TaskCount> openTasksByKind,
        Queue queue) {
    public Overview {
        runs = Map.copyOf(runs);
        openTasksByKind = Map.copyOf(openTasksByKind);
    }

    /**
     * Open tasks of one kind.
     *
     * @param open how many
     * @param oldest when the oldest of them was opened
     */
    public record TaskCount(long open, Instant oldest) {}

    /**
     * The work queue (steps due, timers, await timeouts).
     *
     * @param due items whose time has come and that no worker holds: the backlog
     * @param leased items a worker holds now
     * @param later items scheduled for a later time (timers, retries after backoff)
     * @param oldestDue since when the longest-waiting due item has been due: the queue's lag
     */
    public record Queue(long due, long leased, long later, Optional<Instant> oldestDue) {}
}
