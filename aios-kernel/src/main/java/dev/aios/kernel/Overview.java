package dev.aios.kernel;

import java.util.Map;

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
 */
public record Overview(
        Map<RunStatus, Long> runs,
        long openTasks,
        java.util.Optional<String> storageFailure,
        long commits,
        long writeUnits) {
    public Overview {
        runs = Map.copyOf(runs);
    }
}
