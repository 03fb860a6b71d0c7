package dev.aios.server.internal.console;

import dev.aios.kernel.KernelHealth;
import dev.aios.kernel.Overview;
import dev.aios.memory.IndexState;
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
 * @param index memory's search index: ready, or how far its rebuild got
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
        IndexState index,
        String dataDirectory,
        long dataBytes,
        long freeBytes) {

    /**
     * The index's state in a line, e.g. {@code ready, 12,400 chunks} or {@code rebuilding: 4,100 of
     * 50,000 (8%) — model A → B}.
     */
    public String indexLine() {
        return switch (index.phase()) {
            case READY -> String.format(java.util.Locale.ROOT, "ready, %,d chunks", index.chunks());
            case REBUILDING ->
                String.format(
                        java.util.Locale.ROOT,
                        "rebuilding: %,d of %,d (%d%%) \u2014 %s; searches wait until it is done",
                        index.done(),
                        index.total(),
                        index.total() == 0 ? 0 : index.done() * 100 / index.total(),
                        index.reason());
            case FAILED ->
                "rebuild failed: " + index.reason() + "; searches are refused until aios memory reindex succeeds";
        };
    }

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
