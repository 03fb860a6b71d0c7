package dev.aios.memory.internal;

import dev.aios.api.MemoryHit;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.Ranking;
import dev.aios.memory.RecallPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Scores recall candidates: relevance is the weighted mean of an item's standing in the text and
 * vector searches (its score scaled to the best, or its reciprocal rank), 1 when first in every
 * search that could find it; the
 * score is relevance × adjustment, where adjustment = 1 + w × (decay × (0.5 + importance) − 1) with
 * w the ranking's prior weight. So decay and importance move a score by at most −w to +w/2: they
 * reorder near ties, and never bury an item that clearly matches better.
 */
final class Scoring {

    /** One item's evidence: its best chunk in each search, with its rank and score there. */
    static final class Candidate {
        final String itemId;
        int textRank;
        float textScore;
        /** The text scores of the item's other chunks found by the text search, summed. */
        double otherChunks;

        int textChunk = -1;
        int vectorRank;
        double cosine;
        int vectorChunk = -1;
        double textPart;
        double meaningPart;
        /** Relevance if the item can be found by both searches: a lower bound. */
        double relevance;
        /** Relevance if it can be found by text only (a kind that is not embedded): an upper bound. */
        double upper;

        Candidate(String itemId) {
            this.itemId = itemId;
        }

        /** The chunk shown for the item: the best one of the search that weighs more for it. */
        int shownChunk() {
            if (vectorChunk >= 0 && (textChunk < 0 || meaningPart > textPart)) {
                return vectorChunk;
            }
            return Math.max(textChunk, 0);
        }
    }

    private final RecallPlan plan;
    private final boolean byMeaning;
    private final double priorWeight;
    private final MemorySettings settings;
    private final Instant now;
    private final boolean browsing;
    private final boolean byScores;
    private final double topText;
    private final double topCosine;
    private final double cosineFloor;
    private final double meaningWeight;

    Scoring(
            RecallPlan plan,
            boolean byMeaning,
            Ranking ranking,
            MemorySettings settings,
            Instant now,
            double topText,
            double topCosine,
            double cosineFloor,
            double textLead) {
        this.plan = plan;
        this.byMeaning = byMeaning;
        this.priorWeight = ranking.priorWeight();
        this.settings = settings;
        this.now = now;
        this.browsing = plan.stems().isEmpty() && plan.words().isEmpty();
        this.byScores = ranking.fusion() == Ranking.Fusion.SCORES;
        this.topText = topText;
        this.topCosine = topCosine;
        this.cosineFloor = cosineFloor;
        this.meaningWeight = byMeaning ? plan.meaningWeight() * (1 - ranking.textLead() * textLead) : 0;
    }

    /** An item's standing in the text search, 0 to 1: 1 for the best. */
    private double textUnit(Candidate c) {
        if (c.textRank == 0) {
            return 0;
        }
        return byScores ? c.textScore / topText : (plan.rrfK() + 1.0) / (plan.rrfK() + c.textRank);
    }

    /** An item's standing in the vector search, 0 to 1: 1 for the nearest. */
    private double meaningUnit(Candidate c) {
        if (c.vectorRank == 0) {
            return 0;
        }
        return byScores
                ? (c.cosine - cosineFloor) / Math.max(1e-9, topCosine - cosineFloor)
                : (plan.rrfK() + 1.0) / (plan.rrfK() + c.vectorRank);
    }

    private double meaningWeight() {
        return meaningWeight;
    }

    /** Sets the candidate's parts and its relevance bounds, before its item is loaded. */
    void relevance(Candidate c) {
        c.textPart = plan.textWeight() * textUnit(c);
        c.meaningPart = meaningWeight() * meaningUnit(c);
        double raw = c.textPart + c.meaningPart;
        c.relevance = browsing ? 1 : raw / (plan.textWeight() + meaningWeight());
        c.upper = browsing || c.vectorRank > 0 ? c.relevance : raw / plan.textWeight();
    }

    /** The smallest factor decay and importance can apply. */
    double minAdjustment() {
        return 1 - priorWeight;
    }

    /** The largest factor decay and importance can apply (importance 1, no decay). */
    double maxAdjustment() {
        return 1 + priorWeight / 2;
    }

    /**
     * A candidate's standing from its item's row alone, exactly as its hit will show it (rounded score,
     * then rounded relevance): so that items are ranked before any text or metadata is opened.
     */
    Standing standing(Candidate c, Rows.Standing row) {
        relevance(c);
        double full = plan.textWeight() + (row.kind().embedded() ? meaningWeight() : 0);
        double text = browsing ? 0 : c.textPart / full;
        double meaning = browsing ? 0 : c.meaningPart / full;
        double relevance = browsing ? 1 : text + meaning;
        var since = row.usedAt().filter(u -> u.isAfter(row.createdAt())).orElse(row.createdAt());
        var age = Duration.between(since, now);
        var halfLife = settings.retention().get(row.kind()).halfLife();
        double decay = halfLife.map(h -> Math.pow(0.5, Math.max(0, age.toMillis()) / (double) h.toMillis()))
                .orElse(1.0);
        double adjustment = 1 + priorWeight * (decay * (0.5 + row.importance()) - 1);
        return new Standing(text, meaning, relevance, decay, adjustment, age, halfLife, round(relevance * adjustment));
    }

    /** A candidate's parts of relevance, decay and adjustment, and its score as a hit shows it. */
    record Standing(
            double text,
            double meaning,
            double relevance,
            double decay,
            double adjustment,
            Duration age,
            Optional<Duration> halfLife,
            double score) {

        /** The relevance as a hit shows it: the tie-breaker of equal scores. */
        double shownRelevance() {
            return round(relevance);
        }
    }

    /** The hit for a candidate whose item is loaded. */
    MemoryHit hit(Candidate c, Rows.Hydrated found) {
        var item = found.item();
        var standing = standing(
                c, new Rows.Standing(item.id(), item.kind(), item.createdAt(), item.importance(), found.usedAt()));
        double text = standing.text();
        double meaning = standing.meaning();
        double relevance = standing.relevance();
        double decay = standing.decay();
        double adjustment = standing.adjustment();
        var age = standing.age();
        var halfLife = standing.halfLife();
        var why = new MemoryHit.Why(
                c.textRank > 0 ? OptionalInt.of(c.textRank) : OptionalInt.empty(),
                c.textRank > 0 ? OptionalDouble.of(round(c.textScore)) : OptionalDouble.empty(),
                c.vectorRank > 0 ? OptionalInt.of(c.vectorRank) : OptionalInt.empty(),
                c.vectorRank > 0 ? OptionalDouble.of(round(c.cosine)) : OptionalDouble.empty(),
                round(text),
                round(meaning),
                round(relevance),
                round(decay),
                item.importance(),
                round(adjustment),
                explain(c, relevance, decay, adjustment, age, found.usedAt().isPresent(), halfLife, item.importance()));
        return new MemoryHit(
                Recaller.publicId(item),
                item.version(),
                c.shownChunk(),
                item.kind(),
                item.subject(),
                item.createdAt(),
                found.chunks().get(c.shownChunk()),
                item.metadata(),
                standing.score(),
                why);
    }

    private String explain(
            Candidate c,
            double relevance,
            double decay,
            double adjustment,
            Duration age,
            boolean used,
            Optional<Duration> halfLife,
            double importance) {
        var why = new StringBuilder();
        if (browsing) {
            why.append("no words to search for: newest first");
        } else {
            var ranks = new ArrayList<String>();
            if (c.textRank > 0) {
                ranks.add("text rank " + c.textRank + " (BM25 " + fmt(c.textScore) + ")");
            }
            if (c.vectorRank > 0) {
                ranks.add("meaning rank " + c.vectorRank + " (cosine " + fmt(c.cosine) + ")");
            }
            why.append(String.join(", ", ranks)).append(" → relevance ").append(fmt(relevance));
        }
        why.append("; ")
                .append(used ? "used " : "stored ")
                .append(Durations.words(age))
                .append(" ago");
        why.append(halfLife.map(h -> ", half-life " + Durations.words(h) + " → decay " + fmt(decay))
                .orElse(", no decay"));
        why.append("; importance ").append(fmt(importance)).append(" → ×").append(fmt(adjustment));
        return why.toString();
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
