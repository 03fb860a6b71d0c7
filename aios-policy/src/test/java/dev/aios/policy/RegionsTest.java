package dev.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.policy.internal.Regions;
import dev.aios.policy.internal.Regions.Point;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which region of an agent's outputs earned autonomy, from the operator's answers. */
class RegionsTest {
    static Point point(double confidence, double amount, String outcome) {
        return new Point(Optional.of(confidence), Optional.of(amount), outcome);
    }

    @Test
    void twentyUnchangedApprovalsInARowAboveAConfidenceEarnThatRegion() {
        var points = new ArrayList<Point>();
        for (int i = 0; i < 24; i++) {
            points.add(point(0.86 + (i % 3) * 0.04, 1000 + i * 100, "unchanged"));
            points.add(point(0.6, 2000, i % 2 == 0 ? "edited" : "unchanged"));
        }

        var region = Regions.earned(points, 20).orElseThrow();

        assertThat(region.minConfidence()).contains(0.85);
        assertThat(region.minAmount()).contains(1000.0);
        assertThat(region.maxAmount()).contains(3300.0);
        assertThat(region.streak()).isEqualTo(24);
        assertThat(region.unchanged()).isEqualTo(24);
    }

    @Test
    void anEditInTheLatestAnswersEndsTheStreak() {
        var points = new ArrayList<Point>();
        for (int i = 0; i < 30; i++) {
            points.add(point(0.9, 500, i == 25 ? "edited" : "unchanged"));
        }

        assertThat(Regions.earned(points, 20)).isEmpty();
    }

    @Test
    void aRejectionInTheRegionEarnsNothing() {
        var points = new ArrayList<Point>(List.of(point(0.95, 500, "rejected")));
        for (int i = 0; i < 30; i++) {
            points.add(point(0.95, 500, "unchanged"));
        }

        assertThat(Regions.earned(points, 20)).isEmpty();
    }

    @Test
    void fewerAnswersThanTheStreakEarnNothing() {
        var points = new ArrayList<Point>();
        for (int i = 0; i < 19; i++) {
            points.add(point(0.99, 500, "unchanged"));
        }

        assertThat(Regions.earned(points, 20)).isEmpty();
    }
}
