package dev.aios.memory;

import java.util.List;

/**
 * How memory searches one query, for {@code aios memory search --explain}: the terms each search
 * uses and how the two searches are weighed.
 *
 * @param stems the query's words as the text search matches them in text and title (English stems,
 *     stop words left out)
 * @param words the query's words as written, matched as such and in neighbouring pairs as phrases
 * @param exactLooking whether the query is short or holds a number or code, so that the text search
 *     weighs more
 * @param textWeight the text search's weight in the fusion
 * @param meaningWeight the vector search's weight; 0 when it does not run
 * @param fusion how the two searches are combined: {@code scores} (each scaled to its best) or
 *     {@code ranks} (reciprocal rank fusion)
 * @param depth how many chunks each search takes before they are grouped by item
 * @param rrfK the rank constant of reciprocal rank fusion: an item's part is weight / (rrfK + rank)
 */
public record RecallPlan(
        List<String> stems,
        List<String> words,
        boolean exactLooking,
        double textWeight,
        double meaningWeight,
        String fusion,
        int depth,
        int rrfK) {
    public RecallPlan {
        stems = List.copyOf(stems);
        words = List.copyOf(words);
    }
}
