package dev.aios.server.internal.console;

import dev.aios.api.MemoryHit;
import dev.aios.memory.MemoryStats;
import dev.aios.memory.SubjectCount;
import java.util.List;

/**
 * Memory: search with why each item scored, the subjects with their item counts, pins, and
 * forgetting a subject.
 *
 * @param frame the page's frame
 * @param query the words searched for, "" before a search
 * @param subject the subject filter, "" for any
 * @param kind the kind filter, "" for any
 * @param searched whether a search was made
 * @param searchedByMeaning whether the vector search took part (else text only)
 * @param hits what the search found, best first
 * @param subjects the subjects with the most items
 * @param stats memory's sizes
 * @param kinds every memory kind, for the filter
 */
public record MemoryPage(
        Frame frame,
        String query,
        String subject,
        String kind,
        boolean searched,
        boolean searchedByMeaning,
        List<Hit> hits,
        List<SubjectCount> subjects,
        MemoryStats stats,
        List<String> kinds) {

    /**
     * An item found, and whether it is pinned.
     *
     * @param hit the item with its score and why
     * @param pinned whether retention keeps it whatever its age
     */
    public record Hit(MemoryHit hit, boolean pinned) {
        /** The score as text. */
        public String score() {
            return String.format(java.util.Locale.ROOT, "%.3f", hit.score());
        }
    }
}
