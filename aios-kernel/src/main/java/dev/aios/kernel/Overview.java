package dev.aios.kernel;

import java.util.Map;

/**
 * How much is going on, cheaply counted.
 *
 * @param runs the number of runs in each status (every status present, zero when none)
 * @param openTasks tasks waiting for the operator
 */
public record Overview(Map<RunStatus, Long> runs, long openTasks) {
    public Overview {
        runs = Map.copyOf(runs);
    }
}
