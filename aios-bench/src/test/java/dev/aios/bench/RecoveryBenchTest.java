package dev.aios.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecoveryBenchTest {
    @Test
    void theTimelineGivesRatesOverTheTimeBetweenItsPoints() {
        var recovery = recovery(
                List.of(
                        new RecoveryBench.Second(1_900, 0, 3_000),
                        new RecoveryBench.Second(2_000, 10, 3_200),
                        new RecoveryBench.Second(3_000, 610, 5_000)),
                java.util.Optional.empty());

        var lines = RecoveryBench.report(recovery).lines().toList();

        assertThat(lines)
                .as("a tenth of a second after healthy: rates per second, not the tenth's counts")
                .contains("| 1.9–2.0 | 10 | 100 | 2,000 |")
                .contains("| 2.0–3.0 | 600 | 600 | 1,800 |")
                .as("the last point is when every run had moved on")
                .contains("| 3.0–3.5 | 390 | 780 | 2,000 |");
    }

    @Test
    void aWarmPassIsReportedFromTheTimeItsRunsCameDue() {
        var recovery = recovery(
                List.of(new RecoveryBench.Second(1_900, 0, 3_000)),
                java.util.Optional.of(new RecoveryBench.Warm(
                        1_500,
                        2_400,
                        List.of(new RecoveryBench.Second(0, 0, 0), new RecoveryBench.Second(1_000, 700, 1_600)))));

        var report = RecoveryBench.report(recovery);

        assertThat(report)
                .as("the restart's own figures come first, as without the pass")
                .contains("| start until every run moved on | 3,500 |")
                .contains("| due until every one moved on | 1,500 |")
                .contains("| CPU in that time | 2,400 |");
        assertThat(report.substring(report.indexOf("more runs due at once")).lines())
                .as("the pass's seconds count from its due time, and end when all of its runs moved on")
                .contains("| 0.0–1.0 | 700 | 700 | 1,600 |")
                .contains("| 1.0–1.5 | 300 | 600 | 1,600 |");
    }

    /**
     * A restart of 1,000 runs, healthy at 1.9 s with 3 s of CPU, every run moved on at 3.5 s with
     * 6 s, along {@code seconds}, and {@code warm}.
     */
    private static RecoveryBench.Recovery recovery(
            List<RecoveryBench.Second> seconds, java.util.Optional<RecoveryBench.Warm> warm) {
        return new RecoveryBench.Recovery(
                1_000,
                0,
                new StartupBench.Start(1_900, 3_000, 200_000, 200_000),
                0,
                1_910,
                3_500,
                6_000,
                300_000,
                4_000,
                7_000,
                1,
                7_100,
                300_000,
                seconds,
                warm);
    }
}
