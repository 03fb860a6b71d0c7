package dev.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Event;
import dev.aios.kernel.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Anomaly alerts: a deviation from the rolling baseline opens an inbox task and notifies. */
class AlertsTest {
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
                alerts: { factor: 3, window: 1h, baseline: 14d, minimum: 3, failureRate: 0.2, notify: me }
                """.formatted(hook.url()));
    }

    @AfterEach
    void stop() {
        aios.close();
        hook.close();
    }

    void ping(String source) {
        aios.kernel.send(new Event(
                UUID.randomUUID().toString(),
                "shop.ping",
                "",
                source,
                aios.clock.instant(),
                PolicyHarness.JSON.objectNode(),
                "",
                ""));
    }

    JsonNode alerts() {
        aios.policy.settle();
        return aios.policy.alerts(false);
    }

    JsonNode alertAbout(String text) {
        return Eventually.await(this::alerts, a -> a.toString().contains(text));
    }

    @Test
    void aBurstOfEventsFromOneSourceIsAlertedInTheInboxAndThroughTheChannel() {
        for (int i = 0; i < 24; i++) {
            ping("shop");
            aios.clock.advance(Duration.ofHours(2));
        }
        assertThat(alerts()).isEmpty();

        for (int i = 0; i < 12; i++) {
            ping("shop");
            aios.clock.advance(Duration.ofMinutes(1));
        }

        var alert = alertAbout("event source shop").get(0);
        assertThat(alert.path("text").asText())
                .matches("event source shop: ([4-9]|1[0-2]) events in the last 1h, usually 0.5");
        assertThat(alert.path("notified").asText()).startsWith("me: HTTP 2");
        assertThat(hook.received)
                .anySatisfy(r -> assertThat(r.body().toString()).contains("event source shop"));
        var task = Eventually.await(
                        () -> aios.kernel.run(alert.path("run").asText()).tasks(), tasks -> !tasks.isEmpty())
                .getFirst();
        assertThat(task.status()).isEqualTo(dev.aios.kernel.TaskStatus.OPEN);

        aios.kernel.reject(task.id(), "a sale, expected");

        Eventually.await(
                () -> {
                    aios.policy.settle();
                    return aios.policy.alerts(true).get(0).path("status").asText();
                },
                "dismissed"::equals);
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aStepFailingMoreOftenThanTheLimitIsAlerted() {
        for (int i = 0; i < 4; i++) {
            aios.lead("acme", 13);
        }

        var alert = alertAbout("failed").get(0);

        assertThat(alert.path("scope").asText()).isEqualTo("quoting/quote");
        assertThat(alert.path("text").asText())
                .matches(
                        "step quote of quoting failed ([34]) of \\1 attempts in the last 1h \\(100%; the limit is 20%\\)");
    }

    @Test
    void modelSpendPerCallFarAboveItsMedianIsAlertedWithinTheHour() {
        for (int i = 0; i < 5; i++) {
            aios.completed(aios.lead("acme", 100 + i));
            aios.clock.advance(Duration.ofHours(5));
        }
        assertThat(alerts()).isEmpty();

        var spike = aios.clock.instant();
        aios.completed(aios.lead("acme", 9500));

        var alert = alertAbout("model spend").get(0);
        assertThat(alert.path("text").asText())
                .contains("step quote of quoting: model spend per call was $1.0000 in the last 1h, 100.0× its 14d"
                        + " median of $0.0100");
        assertThat(Duration.between(
                        spike, java.time.Instant.parse(alert.path("at").asText())))
                .isLessThanOrEqualTo(Duration.ofHours(1));
    }

    @Test
    void theBaselinesKeepOnlyTheRunsInProgressAndForgetEachRunWhenItEnds() throws Exception {
        for (int i = 0; i < 3; i++) {
            aios.completed(aios.lead("acme", 100 + i));
        }
        aios.policy.setFlag("draft-quote", java.util.Optional.empty(), "off", "operator");
        var parked = aios.lead("acme", 200); // its quote waits for the operator
        assertThat(aios.openTask(parked)).isPresent();
        aios.policy.settle();
        assertThat(runsRemembered()).as("the run in progress").isEqualTo(1);

        aios.kernel.cancel(parked, "not worth it");
        Eventually.await(() -> aios.kernel.run(parked), run -> run.status().isFinal());
        aios.policy.settle();
        assertThat(runsRemembered()).isZero();
    }

    /** Rows in the table of runs the baselines remember, read as an outsider would. */
    long runsRemembered() throws java.sql.SQLException {
        try (var c = java.sql.DriverManager.getConnection(
                        "jdbc:sqlite:" + dir.resolve("data").resolve("aios.db"));
                var rows = c.createStatement().executeQuery("SELECT COUNT(*) FROM policy_runs")) {
            return rows.next() ? rows.getLong(1) : -1;
        }
    }
}
