package dev.aios.kernel;

import java.util.Map;

/**
 * How much is going on, cheaply counted.
 *
 * @param runs the number of runs in each status (every status present, zero when none)
 * @param openTasks tasks waiting for the operator
 * @param storageFailure why the database cannot be written, while that lasts: nothing new is
 *     accepted until it can
 */
public record Overview(Map<RunStatus, Long> runs, long openTasks, java.util.Optional<String> storageFailure) {
    public Overview {
        runs = Map.copyOf(runs);
    }
}
