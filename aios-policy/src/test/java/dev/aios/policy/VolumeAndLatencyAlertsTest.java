package dev.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.TaskStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The anomaly alerts on volumes and time: a surge of runs started by a playbook, a surge of tasks
 * opened by one of its steps, and runs taking far longer than usual each open an alert task in the
 * inbox and notify the policy's channel within the hour, while the other metrics of the same runs
 * stay quiet.
 */
class VolumeAndLatencyAlertsTest {
    @TempDir
    Path dir;

    WebhookReceiver hook;
    PolicyHarness aios;

    @BeforeEach
    void start() {
        hook = new WebhookReceiver();
        aios = new PolicyHarness(dir, """
                notify:
                  me: { webhook: "%s" }
                gates:
                  - { name: review-large-quotes, when: "input.amount > 5000", decide: approve }
                alerts: { factor: 3, window: 1h, baseline: 14d, minimum: 3, failureRate: 0.2, notify: me }
                """.formatted(hook.url()));
    }

    @AfterEach
    void stop() {
        aios.close();
        hook.close();
    }

    JsonNode alerts() {
        aios.policy.settle();
        return aios.policy.alerts(false);
    }

    /** The open alert on {@code metric}, once raised. */
    JsonNode alertOn(String metric) {
        var all = Eventually.await(this::alerts, a -> find(a, metric).isPresent());
        return find(all, metric).orElseThrow(() -> new AssertionError("no " + metric + " alert among " + all));
    }

    static Optional<JsonNode> find(JsonNode alerts, String metric) {
        for (var alert : alerts) {
            if (alert.path("metric").asText().equals(metric)) {
                return Optional.of(alert);
            }
        }
        return Optional.empty();
    }

    /** The alert is an open task in the inbox, was sent to the channel, and came within the hour. */
    void reachesTheOperator(JsonNode alert, String text, Instant anomaly) {
        assertThat(alert.path("notified").asText()).startsWith("me: HTTP 2");
        assertThat(hook.received)
                .anySatisfy(r -> assertThat(r.body().toString()).contains(text));
        var task = Eventually.await(
                        () -> aios.kernel.run(alert.path("run").asText()).tasks(), tasks -> !tasks.isEmpty())
                .getFirst();
        assertThat(task.status()).isEqualTo(TaskStatus.OPEN);
        assertThat(Duration.between(anomaly, Instant.parse(alert.path("at").asText())))
                .isBetween(Duration.ZERO, Duration.ofHours(1));
    }

    /** A quote that commits on its own (small) or waits for the operator (large); returns the run. */
    String quote(int amount) {
        var run = aios.lead("acme", amount);
        aios.settled(run);
        return run;
    }

    @Test
    void aSurgeOfRunsStartedByAPlaybookIsAlertedInTheInboxAndThroughTheChannel() {
        for (int i = 0; i < 24; i++) {
            aios.completed(quote(100));
            aios.clock.advance(Duration.ofHours(2));
        }
        assertThat(alerts()).isEmpty();

        var surge = aios.clock.instant();
        for (int i = 0; i < 12; i++) {
            aios.completed(quote(100));
            aios.clock.advance(Duration.ofMinutes(1));
        }

        var alert = alertOn("run");
        assertThat(alert.path("scope").asText()).isEqualTo("quoting");
        assertThat(alert.path("text").asText())
                .matches("playbook quoting: ([4-9]|1[0-2]) runs started in the last 1h, usually 0.5");
        reachesTheOperator(alert, "runs started", surge);
        assertThat(find(alerts(), "task")).as("no task was opened").isEmpty();
    }

    @Test
    void aSurgeOfTasksOpenedByAStepIsAlertedWhileItsRunsKeepTheirPace() {
        // A lead every quarter of an hour for eight hours, one in eight large enough to need the operator.
        for (int i = 0; i < 32; i++) {
            quote(i % 8 == 3 ? 6000 : 100);
            aios.clock.advance(Duration.ofMinutes(15));
        }
        assertThat(alerts()).isEmpty();

        // The same pace of leads, but now every one of them needs the operator.
        var surge = aios.clock.instant();
        for (int i = 0; i < 4; i++) {
            assertThat(aios.openTask(quote(6000))).isPresent();
            aios.clock.advance(Duration.ofMinutes(15));
        }

        var alert = alertOn("task");
        assertThat(alert.path("scope").asText()).isEqualTo("quoting/quote");
        assertThat(alert.path("text").asText())
                .matches("step quote of quoting: 4 tasks opened in the last 1h, usually 0.6");
        reachesTheOperator(alert, "tasks opened", surge);
        assertThat(find(alerts(), "run")).as("the runs kept their pace").isEmpty();
    }

    @Test
    void runsTakingFarLongerThanTheirMedianAreAlertedWithinTheHour() {
        // Each large quote is answered within two minutes, a few hours apart.
        for (int i = 0; i < 4; i++) {
            answerAfter(Duration.ofMinutes(2));
            aios.clock.advance(Duration.ofHours(3));
        }
        assertThat(alerts()).isEmpty();

        var slow = aios.clock.instant();
        answerAfter(Duration.ofMinutes(30));

        var alert = alertOn("latency");
        assertThat(alert.path("scope").asText()).isEqualTo("quoting");
        assertThat(alert.path("text").asText())
                .isEqualTo("playbook quoting: run time was 30m in the last 1h, 15.0× its 14d median of 2m");
        reachesTheOperator(alert, "run time was 30m", slow);
    }

    /** A large quote whose task the operator approves after {@code wait}, then its run completes. */
    private void answerAfter(Duration wait) {
        var run = aios.lead("acme", 6000);
        var task = aios.openTask(run).orElseThrow();
        aios.clock.advance(wait);
        aios.kernel.approve(task.id(), Optional.empty(), "");
        aios.completed(run);
    }
}
