package dev.aios.memory;

import dev.aios.api.MemoryKind;
import java.time.Instant;
import java.util.Map;

/**
 * What one run of the retention job did.
 *
 * @param at when it ran
 * @param expired the items removed because they outlived their kind's time to live, by kind
 * @param compacted the episodic items merged into summaries
 * @param summaries the summaries written
 * @param summarizer how the summaries were written: {@code extractive} or the model's name
 */
public record RetentionReport(
        Instant at, Map<MemoryKind, Long> expired, long compacted, long summaries, String summarizer) {
    public RetentionReport {
        expired = Map.copyOf(expired);
    }
}
