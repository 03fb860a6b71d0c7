package dev.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.aios.api.Event;
import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alerts to an email channel arrive by email, sent by the send-email connector through real SMTP. */
class EmailAlertsTest {
    static final String POLICY = """
            notify:
              me: { email: "owner@studio.test" }
            alerts: { factor: 3, window: 1h, baseline: 14d, minimum: 3, notify: me }
            """;

    @TempDir
    Path dir;

    GreenMail mail;
    PolicyHarness aios;

    void start(boolean smtp) throws Exception {
        var setup = ServerSetup.SMTP.dynamicPort();
        setup.setServerStartupTimeout(30_000);
        mail = new GreenMail(setup);
        mail.start();
        var settings = smtp
                ? ConnectorSettings.read(
                        new YAMLMapper().readTree("""
                        email:
                          smtp: { host: 127.0.0.1, port: %d, security: none, from: "aios <aios@studio.test>" }
                        """.formatted(mail.getSmtp().getPort()))::get)
                : ConnectorSettings.none();
        aios = new PolicyHarness(
                dir,
                POLICY,
                b -> b.emailThrough("send-email"),
                new ConnectorsExtension(settings, name -> Optional.empty()));
    }

    @AfterEach
    void stop() {
        if (aios != null) {
            aios.close();
        }
        if (mail != null) {
            mail.stop();
        }
    }

    void burstFrom(String source) {
        for (int i = 0; i < 24; i++) {
            ping(source);
            aios.clock.advance(Duration.ofHours(2));
        }
        for (int i = 0; i < 12; i++) {
            ping(source);
            settled();
            aios.clock.advance(Duration.ofMinutes(1));
        }
    }

    /**
     * Waits until the policy has seen everything and no run is in a step: the test's clock jumps
     * minutes at a time, and a jump while the alert's email is being sent would outlast the step's
     * lease, so that the kernel sends it again as it would after a crash.
     */
    void settled() {
        Eventually.await(
                () -> {
                    aios.policy.settle();
                    return aios.kernel.runs(RunQuery.all()).stream()
                            .noneMatch(run -> run.status() == RunStatus.RUNNING);
                },
                quiet -> quiet);
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

    @Test
    void anAlertToAnEmailChannelArrivesOnceByEmailWithWhatWasSeen() throws Exception {
        start(true);
        burstFrom("shop");

        var alert = Eventually.await(
                        () -> {
                            aios.policy.settle();
                            return aios.policy.alerts(false);
                        },
                        a -> a.toString().contains("event source shop"))
                .get(0);

        assertThat(alert.path("notified").asText()).startsWith("me: email to owner@studio.test (run ");
        assertThat(mail.waitForIncomingEmail(20_000, 1)).isTrue();
        var received = mail.getReceivedMessages();
        assertThat(received).hasSize(1);
        assertThat(received[0].getAllRecipients()[0].toString()).isEqualTo("owner@studio.test");
        assertThat(received[0].getSubject()).startsWith("aios: event source shop:");
        assertThat(GreenMailUtil.getBody(received[0]))
                .contains("metric: event")
                .contains("alert-" + alert.path("id").asText());
    }

    @Test
    void withoutAMailServerTheEmailBecomesATaskForTheOperatorToSendByHand() throws Exception {
        start(false);
        burstFrom("shop");

        var emailTask = Eventually.await(
                        () -> {
                            aios.policy.settle();
                            return aios.kernel.tasks(false).stream()
                                    .filter(t -> t.title().contains("owner@studio.test"))
                                    .toList();
                        },
                        tasks -> !tasks.isEmpty())
                .getFirst();

        assertThat(emailTask.title()).contains("Send this email to owner@studio.test yourself");
        assertThat(mail.getReceivedMessages()).isEmpty();
    }
}
