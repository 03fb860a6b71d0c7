package dev.aios.memory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RebuildProgressTest {
    @Test
    void aProgressLineSaysHowManyOfHowManyTheRateAndTheTimeLeft() {
        assertThat(RebuildProgress.line(
                        41_000, 100_000, Duration.ofMillis(16_400).toNanos()))
                .isEqualTo("41000 of 100000 chunks (41%), 2500 chunks/s, about 24 s left");
    }

    @Test
    void theLastLineSaysNoTimeLeft() {
        assertThat(RebuildProgress.line(100_000, 100_000, Duration.ofSeconds(40).toNanos()))
                .isEqualTo("100000 of 100000 chunks (100%), 2500 chunks/s");
    }
}
