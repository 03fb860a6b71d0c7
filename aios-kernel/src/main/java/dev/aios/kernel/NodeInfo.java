package dev.aios.kernel;

import java.time.Instant;

/**
 * One aios process working on the store, as it last reported itself.
 *
 * @param name the node's name, as leases and journals record it ({@code node-<pid>-<random>})
 * @param startedAt when the node started
 * @param seenAt when it last said it is alive (every few seconds while it runs)
 * @param holding work items it holds now (steps executing, timers firing)
 */
public record NodeInfo(String name, Instant startedAt, Instant seenAt, long holding) {}
