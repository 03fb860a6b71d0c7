package dev.aios.kernel.internal.cel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void readsShortForms() {
        assertThat(Durations.parseLiteral("72h")).contains(Duration.ofHours(72));
        assertThat(Durations.parseLiteral("90s")).contains(Duration.ofSeconds(90));
        assertThat(Durations.parseLiteral("15m")).contains(Duration.ofMinutes(15));
        assertThat(Durations.parseLiteral("2d")).contains(Duration.ofDays(2));
        assertThat(Durations.parseLiteral("500ms")).contains(Duration.ofMillis(500));
        assertThat(Durations.parseLiteral("1w")).contains(Duration.ofDays(7));
        assertThat(Durations.parseLiteral("1h30m")).contains(Duration.ofMinutes(90));
        assertThat(Durations.parseLiteral(" 10s ")).contains(Duration.ofSeconds(10));
    }

    @Test
    void readsIso8601() {
        assertThat(Durations.parseLiteral("P3D")).contains(Duration.ofDays(3));
        assertThat(Durations.parseLiteral("PT10S")).contains(Duration.ofSeconds(10));
        assertThat(Durations.parseLiteral("P1DT2H")).contains(Duration.ofHours(26));
        assertThat(Durations.parseLiteral("P2W")).contains(Duration.ofDays(14));
    }

    @Test
    void leavesEverythingElseToCel() {
        assertThat(Durations.parseLiteral("steps.plan.days")).isEmpty();
        assertThat(Durations.parseLiteral("P1M")).isEmpty();
        assertThat(Durations.parseLiteral("72")).isEmpty();
        assertThat(Durations.parseLiteral("h")).isEmpty();
        assertThat(Durations.parseLiteral("")).isEmpty();
    }
}
