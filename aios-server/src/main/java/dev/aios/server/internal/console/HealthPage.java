package dev.aios.server.internal.console;

import dev.aios.kernel.KernelHealth;
import dev.aios.kernel.Overview;
import dev.aios.memory.MemoryStats;

/**
 * How aios is doing: the writer, the work queue and its lag, circuit breakers, dead letters, the
 * next retention run and the disk.
 *
 * @param frame the page's frame
 * @param overview runs by status, open tasks and the writer's state
 * @param health the queue, waits, dead letters and breakers
 * @param lag how long the oldest due item has waited, e.g. {@code 0 s}
 * @param memory memory's sizes and next retention
 * @param dataDirectory where the data lives
 * @param dataBytes what the data directory holds
 * @param freeBytes what is left on its disk
 */
public record HealthPage(
        Frame frame,
        Overview overview,
        KernelHealth health,
        String lag,
        MemoryStats memory,
        String dataDirectory,
        long dataBytes,
        long freeBytes) {

    /** Bytes in a unit a person reads, e.g. {@code 12.3 MB}. */
    public static String size(long bytes) {
        if (bytes < 1_000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1_000 && unit < units.length - 1) {
            value /= 1_000;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
