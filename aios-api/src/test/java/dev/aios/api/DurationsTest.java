package dev.aios.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void readsShortForms() {
        assertThat(Durations.parse("72h")).contains(Duration.ofHours(72));
        assertThat(Durations.parse("90s")).contains(Duration.ofSeconds(90));
        assertThat(Durations.parse("15m")).contains(Duration.ofMinutes(15));
        assertThat(Durations.parse("2d")).contains(Duration.ofDays(2));
        assertThat(Durations.parse("500ms")).contains(Duration.ofMillis(500));
        assertThat(Durations.parse("1w")).contains(Duration.ofDays(7));
        assertThat(Durations.parse("1h30m")).contains(Duration.ofMinutes(90));
        assertThat(Durations.parse(" 10s ")).contains(Duration.ofSeconds(10));
    }

    @Test
    void readsIso8601() {
        assertThat(Durations.parse("P3D")).contains(Duration.ofDays(3));
        assertThat(Durations.parse("PT10S")).contains(Duration.ofSeconds(10));
        assertThat(Durations.parse("P1DT2H")).contains(Duration.ofHours(26));
        assertThat(Durations.parse("P2W")).contains(Duration.ofDays(14));
    }

    @Test
    void leavesEverythingElseToCel() {
        assertThat(Durations.parse("steps.plan.days")).isEmpty();
        assertThat(Durations.parse("P1M")).isEmpty();
        assertThat(Durations.parse("72")).isEmpty();
        assertThat(Durations.parse("h")).isEmpty();
        assertThat(Durations.parse("")).isEmpty();
    }

    @Test
    void readsSettingsForms() {
        assertThat(Durations.parse("0")).contains(Duration.ZERO);
        assertThat(Durations.parse("1y")).contains(Duration.ofDays(365));
        assertThat(Durations.parse("72H")).contains(Duration.ofHours(72));
        assertThat(Durations.parse("pt5s")).contains(Duration.ofSeconds(5));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Durations.parse("soon", "cache.ttl"))
                .hasMessageContaining("cache.ttl: 'soon' is not a duration");
    }
}
