package dev.aios.memory;

import dev.aios.api.MemoryKind;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What the retention job will do when it runs next, as of now.
 *
 * @param at when it runs next
 * @param expire items it will remove because they outlived their kind's time to live, by kind
 * @param compact episodic items it will merge into summaries
 * @param summaries how many summaries they make (one per subject and day)
 * @param legalHolds the subjects it leaves alone
 */
public record RetentionPlan(
        Instant at, Map<MemoryKind, Long> expire, long compact, long summaries, Set<String> legalHolds) {
    public RetentionPlan {
        expire = Map.copyOf(expire);
        legalHolds = Set.copyOf(legalHolds);
    }
}
