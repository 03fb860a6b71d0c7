package dev.aios.memory;

/**
 * How recall ranks: what the text search weighs, how its results and the vector search's are fused,
 * and how far decay and importance may move a score. The defaults are the figures the offline recall
 * evaluation ({@code aios-bench/run recall}) chose; change them only with that evaluation at hand.
 *
 * @param fusion how the text and vector searches are combined
 * @param depth how many chunks each search (text, meaning) takes before chunks are grouped by item
 * @param rrfK the rank constant of reciprocal rank fusion: higher flattens the difference between
 *     ranks
 * @param titleBoost the weight of a query word found in an item's title (its short first line)
 *     against one found in its text
 * @param phraseBoost the weight of two query words found next to each other, as written
 * @param exactBoost the weight of a query word found as written (names, codes, ids) on top of its
 *     stemmed match
 * @param shortQueryMeaning the weight of the vector search against the text search for short,
 *     exact-looking queries (up to three words, or with digits or codes); 1 for longer queries
 * @param textLead how much a clear leader of the text search lowers the vector search's weight: the
 *     weight of meaning is multiplied by 1 − textLead × (1 − second best BM25 / best BM25), so a
 *     query whose words single out one item (a subject line, a sentence typed word for word) leans
 *     on the text search, and a vague one weighs both alike; 0 to 1
 * @param priorWeight how far decay and importance may move a score, 0 (not at all) to 1 (score =
 *     relevance × decay × (0.5 + importance)); small values let them reorder near ties only
 * @param meaning the weight of the vector search against the text search for longer queries, 0 to 100;
 *     0.5 by default: with the weight of words and meaning alike, meaning pulled items the vector search
 *     alone ranks high but the words do not support above the item the words single out (evaluated:
 *     +3 to +6 points of hit@5 on the addresses' paraphrase, reworded, filtered and old sets)
 * @param chunkSum how much an item's other chunks found by the text search add to its best one's
 *     score, 0 (an item is its best chunk) to 1 (their scores summed): a query whose words are spread
 *     over two chunks of one item finds that item
 * @param meaningSpread how an item's cosine similarity becomes its part of meaning, 0 to 1: 0 scales
 *     it from the floor of 0.2 to the best (cosines of unrelated texts are often 0.3–0.4, so nearly
 *     every found item gets most of it); 1 scales it from the lowest cosine the vector search
 *     returned to the best (its spread, as the text search's scores have)
 */
public record Ranking(
        Fusion fusion,
        int depth,
        int rrfK,
        double titleBoost,
        double phraseBoost,
        double exactBoost,
        double shortQueryMeaning,
        double textLead,
        double priorWeight,
        double meaning,
        double chunkSum,
        double meaningSpread) {

    /** The evaluated defaults. */
    public static final Ranking DEFAULT =
            new Ranking(Fusion.SCORES, 100, 60, 2.0, 0.5, 0.3, 0.5, 1.0, 0.1, 0.5, 0.0, 0.0);

    /** How the two searches are combined into one relevance, 0 to 1. */
    public enum Fusion {
        /**
         * Weighted reciprocal rank fusion: an item's part of each search is (rrfK + 1) / (rrfK + rank).
         * Blind to how much better the first is than the second.
         */
        RANKS,
        /**
         * A weighted mean of each search's score scaled to its best: BM25 / best BM25, and (cosine −
         * 0.2) / (best cosine − 0.2). A strong text match keeps its lead.
         */
        SCORES
    }

    public Ranking {
        java.util.Objects.requireNonNull(fusion, "fusion");
        if (depth < 10 || depth > 1_000) {
            throw new IllegalArgumentException("ranking.depth must be between 10 and 1000, was " + depth);
        }
        if (rrfK < 1 || rrfK > 1_000) {
            throw new IllegalArgumentException("ranking.rrfK must be between 1 and 1000, was " + rrfK);
        }
        for (double weight : new double[] {titleBoost, phraseBoost, exactBoost, shortQueryMeaning, meaning}) {
            if (!(weight >= 0 && weight <= 100)) {
                throw new IllegalArgumentException(
                        "ranking boosts and weights must be between 0 and 100, was " + weight);
            }
        }
        if (!(textLead >= 0 && textLead <= 1)) {
            throw new IllegalArgumentException("ranking.textLead must be between 0 and 1, was " + textLead);
        }
        if (!(meaningSpread >= 0 && meaningSpread <= 1)) {
            throw new IllegalArgumentException("ranking.meaningSpread must be between 0 and 1, was " + meaningSpread);
        }
        if (!(chunkSum >= 0 && chunkSum <= 1)) {
            throw new IllegalArgumentException("ranking.chunkSum must be between 0 and 1, was " + chunkSum);
        }
        if (!(priorWeight >= 0 && priorWeight <= 1)) {
            throw new IllegalArgumentException("ranking.priorWeight must be between 0 and 1, was " + priorWeight);
        }
    }

    /** This ranking with another fusion. */
    public Ranking withFusion(Fusion fusion) {
        return new Ranking(
                fusion,
                depth,
                rrfK,
                titleBoost,
                phraseBoost,
                exactBoost,
                shortQueryMeaning,
                textLead,
                priorWeight,
                meaning,
                chunkSum,
                meaningSpread);
    }

    /** This ranking with another depth. */
    public Ranking withDepth(int depth) {
        return new Ranking(
                fusion,
                depth,
                rrfK,
                titleBoost,
                phraseBoost,
                exactBoost,
                shortQueryMeaning,
                textLead,
                priorWeight,
                meaning,
                chunkSum,
                meaningSpread);
    }

    /** This ranking with another rank constant. */
    public Ranking withRrfK(int rrfK) {
        return new Ranking(
                fusion,
                depth,
                rrfK,
                titleBoost,
                phraseBoost,
                exactBoost,
                shortQueryMeaning,
                textLead,
                priorWeight,
                meaning,
                chunkSum,
                meaningSpread);
    }

    /** This ranking with other weights of the text search's parts. */
    public Ranking withBoosts(double titleBoost, double phraseBoost, double exactBoost) {
        return new Ranking(
                fusion,
                depth,
                rrfK,
                titleBoost,
                phraseBoost,
                exactBoost,
                shortQueryMeaning,
                textLead,
                priorWeight,
                meaning,
                chunkSum,
                meaningSpread);
    }

    /** This ranking with another weight of meaning for short queries. */
    public Ranking withShortQueryMeaning(double shortQueryMeaning) {
        return new Ranking(
                fusion,
                depth,
                rrfK,
                titleBoost,
                phraseBoost,
                exactBoost,
                shortQueryMeaning,
                textLead,
                priorWeight,
                meaning,
                chunkSum,
                meaningSpread);
    }

    /** This ranking with another weight of a clear text leader. */
    public Ranking withTextLead(double textLead) {
        return new Ranking(
                fusion,
                depth,
                rrfK,
                titleBoost,
                phraseBoost,
                exactBoost,
                shortQueryMeaning,
                textLead,
                priorWeight,
                meaning,
                chunkSum,
                meaningSpread);
    }

    /** This ranking with another weight of decay and importance. */
    public Ranking withPriorWeight(double priorWeight) {
        return new Ranking(
                fusion,
                depth,
                rrfK,
                titleBoost,
                phraseBoost,
                exactBoost,
                shortQueryMeaning,
                textLead,
                priorWeight,
                meaning,
                chunkSum,
                meaningSpread);
    }

    /** This ranking with another weight of meaning for longer queries. */
    public Ranking withMeaning(double meaning) {
        return new Ranking(
                fusion,
                depth,
                rrfK,
                titleBoost,
                phraseBoost,
                exactBoost,
                shortQueryMeaning,
                textLead,
                priorWeight,
                meaning,
                chunkSum,
                meaningSpread);
    }

    /** This ranking with another share of an item's other chunks in its text score. */
    public Ranking withChunkSum(double chunkSum) {
        return new Ranking(
                fusion,
                depth,
                rrfK,
                titleBoost,
                phraseBoost,
                exactBoost,
                shortQueryMeaning,
                textLead,
                priorWeight,
                meaning,
                chunkSum,
                meaningSpread);
    }

    /** This ranking with another scaling of cosine similarities. */
    public Ranking withMeaningSpread(double meaningSpread) {
        return new Ranking(
                fusion,
                depth,
                rrfK,
                titleBoost,
                phraseBoost,
                exactBoost,
                shortQueryMeaning,
                textLead,
                priorWeight,
                meaning,
                chunkSum,
                meaningSpread);
    }
}
