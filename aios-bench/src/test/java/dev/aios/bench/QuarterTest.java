package dev.aios.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short quarter of the real design-subscription playbook (30 leads, suggestions after 3 approvals
 * in a row instead of 20) meets the targets the full one is checked against; the full quarter is
 * {@code aios-bench/run quarter --check}.
 */
class QuarterTest {
    @TempDir
    Path dir;

    @Test
    void aShortQuarterOfTheRealPlaybookHalvesTheOperatorsTasksWithoutAWrongAutoCommitAndAlertsEveryAnomaly()
            throws Exception {
        var result = Quarter.run(dir, 30, 7, 3);
        var markdown = Quarter.markdown(result);

        assertThat(Quarter.missed(result)).as(markdown).isEmpty();
        assertThat(result.unexpected()).as(markdown).isEmpty();
        assertThat(result.months()).allSatisfy(m -> assertThat(m.runs).isPositive());
        // Every lead ran the real playbook: its proposals were either answered or committed on their own.
        assertThat(result.months().stream().mapToInt(m -> m.tasks + m.auto).sum())
                .isGreaterThan(20);
        assertThat(result.months().get(0).suggestionsAccepted).as(markdown).isPositive();
    }

    @Test
    void theCheckNamesEveryMissedTarget() {
        var months = List.of(new Quarter.Month(), new Quarter.Month(), new Quarter.Month());
        months.forEach(m -> m.runs = 10);
        months.get(0).tasks = 10;
        months.get(2).tasks = 6;
        months.get(1).wrongAuto = 1;
        var late = Quarter.Injected.of("spike", "spend");
        late.at()[0] = Quarter.START;
        late.alerted()[0] = Optional.of(Quarter.START.plus(Duration.ofMinutes(61)));
        var never = Quarter.Injected.of("outage", "failure");
        never.at()[0] = Quarter.START;
        var result = new Quarter.Result(months, List.of(late, never), List.of(), List.of(), 30, 7, 20);

        assertThat(Quarter.missed(result))
                .containsExactly(
                        "month 3 has 0.60 operator tasks per run, more than half of month 1's 1.00",
                        "1 wrong auto-commits",
                        "spike: alerted after 61 min",
                        "outage: not alerted");

        months.get(2).tasks = 5;
        months.get(1).wrongAuto = 0;
        late.alerted()[0] = Optional.of(Quarter.START.plus(Duration.ofMinutes(60)));
        never.alerted()[0] = Optional.of(Quarter.START);
        assertThat(Quarter.missed(result)).isEmpty();
    }
}
