package dev.aios.policy.internal;

import java.util.List;
import java.util.Optional;

/**
 * Finds the region of an agent's outputs that earned autonomy: among the answers held by one gate
 * for one segment, the lowest confidence threshold above which the most recent {@code streak}
 * answers were all approved unchanged, and none in the window was rejected. The region's amounts
 * are those seen in the streak, so a larger amount still goes to the operator.
 */
public final class Regions {
    /** The thresholds tried, from the most cautious. */
    static final double[] THRESHOLDS = {0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5};

    private Regions() {}

    /** One answered output: its confidence and amount, if the agent has them, and how it was answered. */
    public record Point(Optional<Double> confidence, Optional<Double> amount, String outcome) {}

    /**
     * A region: outputs with confidence at least {@code minConfidence} and amount within {@code
     * minAmount}..{@code maxAmount} (when the agent has amounts), {@code unchanged} of {@code
     * answered} approved unchanged in the window, the last {@code streak} in a row.
     */
    public record Region(
            Optional<Double> minConfidence,
            Optional<Double> minAmount,
            Optional<Double> maxAmount,
            int streak,
            int unchanged,
            int answered) {}

    /**
     * The widest region whose latest {@code needed} answers (oldest first in {@code points}) were
     * approved unchanged, with no rejection among the answers it covers; empty when there is none.
     */
    public static Optional<Region> earned(List<Point> points, int needed) {
        boolean confidences = points.stream().allMatch(p -> p.confidence().isPresent());
        if (!confidences) {
            return streakOf(points, needed, Optional.empty());
        }
        Optional<Region> best = Optional.empty();
        for (double threshold : THRESHOLDS) {
            var in = points.stream()
                    .filter(p -> p.confidence().orElse(0.0) >= threshold - 1e-9)
                    .toList();
            var region = streakOf(in, needed, Optional.of(threshold));
            if (region.isPresent()) {
                best = region;
            } else if (best.isPresent()) {
                break;
            }
        }
        return best;
    }

    private static Optional<Region> streakOf(List<Point> in, int needed, Optional<Double> threshold) {
        if (in.stream().anyMatch(p -> p.outcome().equals("rejected"))) {
            return Optional.empty();
        }
        int streak = 0;
        for (int i = in.size() - 1; i >= 0 && in.get(i).outcome().equals("unchanged"); i--) {
            streak++;
        }
        if (streak < needed) {
            return Optional.empty();
        }
        var tail = in.subList(in.size() - streak, in.size());
        var amounts = tail.stream().flatMap(p -> p.amount().stream()).toList();
        Optional<Double> min = amounts.isEmpty()
                ? Optional.empty()
                : Optional.of(
                        amounts.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
        Optional<Double> max = amounts.isEmpty()
                ? Optional.empty()
                : Optional.of(
                        amounts.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        int unchanged =
                (int) in.stream().filter(p -> p.outcome().equals("unchanged")).count();
        // No lower than the confidences seen: below them the operator still answers.
        var seen = tail.stream()
                .flatMap(p -> p.confidence().stream())
                .mapToDouble(Double::doubleValue)
                .min();
        var floor = threshold.map(t -> seen.isPresent() ? Math.max(t, Math.floor(seen.getAsDouble() * 20) / 20) : t);
        return Optional.of(new Region(floor, min, max, streak, unchanged, in.size()));
    }
}
