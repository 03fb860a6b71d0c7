package dev.aios.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The send-email agent against a real SMTP server (GreenMail): sent once, with the key as Message-ID. */
class SendEmailTest {
    @TempDir
    Path dir;

    GreenMail mail;
    Kernel kernel;

    static final String PLAYBOOK = """
            name: welcome
            trigger: { event: lead.received }
            steps:
              - id: send
                agent: send-email
                input:
                  to: event.data.email
                  subject: "'Welcome, ' + event.data.name"
                  text: "'Thanks for writing, ' + event.data.name + '.'"
            """;

    /** Sends through send-email as a tool, then fails its first attempt: the retry must not send again. */
    public static final class SendThenStumble implements Agent<SendThenStumble.Mail, SendThenStumble.Sent> {
        static final AtomicInteger ATTEMPTS = new AtomicInteger();

        public record Mail(String to, String subject, String text) {}

        public record Sent(String messageId) {}

        @Override
        public Contract<Mail, Sent> contract() {
            return Contract.of("send-then-stumble", "1.0.0", Mail.class, Sent.class);
        }

        @Override
        public Sent run(Mail input, AgentContext context) throws Exception {
            JsonNode sent = context.call("send-email", new ObjectMapper().valueToTree(input));
            if (ATTEMPTS.incrementAndGet() == 1) {
                throw new IllegalStateException("stumbled after sending");
            }
            return new Sent(sent.path("messageId").asText());
        }
    }

    void start(ServerSetup setup, String smtpSettings, String playbook) throws Exception {
        var dynamic = setup.dynamicPort();
        dynamic.setServerStartupTimeout(30_000); // a loaded machine starts the TLS listener slowly
        mail = new GreenMail(dynamic);
        mail.withConfiguration(GreenMailConfiguration.aConfig().withUser("studio", "s3cret"));
        mail.start();
        var settings = smtpSettings.isEmpty()
                ? ConnectorSettings.none()
                : ConnectorSettings.read(new YAMLMapper().readTree(smtpSettings.formatted(port()))::get);
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/p.yaml"), playbook);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .agent(new SendThenStumble())
                .extension(new ConnectorsExtension(
                        settings,
                        name -> Optional.ofNullable(
                                Map.of("SMTP_PASSWORD", "s3cret").get(name))))
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10))
                .build();
        kernel.start();
    }

    int port() {
        return mail.getSmtp() != null
                ? mail.getSmtp().getPort()
                : mail.getSmtps().getPort();
    }

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
        if (mail != null) {
            mail.stop();
        }
    }

    String lead(String name) {
        var data = JsonNodeFactory.instance
                .objectNode()
                .put("email", "ada@acme.test")
                .put("name", name);
        var accepted =
                kernel.send(new Event("lead-" + name, "lead.received", "acme", "test", Instant.now(), data, "", ""));
        return accepted.started().getFirst();
    }

    @Test
    void anEmailIsSentWithTheIdempotencyKeyAsItsMessageId() throws Exception {
        start(ServerSetup.SMTP, """
                email:
                  smtp: { host: 127.0.0.1, port: %d, security: none, from: "Studio <hello@studio.test>" }
                """, PLAYBOOK);
        var runId = lead("Ada");
        var run = Eventually.await(() -> kernel.run(runId), r -> r.status().isFinal());

        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(mail.waitForIncomingEmail(5_000, 1)).isTrue();
        var received = mail.getReceivedMessages();
        assertThat(received).hasSize(1);
        assertThat(received[0].getSubject()).isEqualTo("Welcome, Ada");
        assertThat(received[0].getFrom()[0].toString()).isEqualTo("Studio <hello@studio.test>");
        var messageId = received[0].getMessageID();
        assertThat(messageId).endsWith("@studio.test>");
        var receipt = run.steps().getFirst().receipts().getFirst();
        assertThat(receipt.name()).isEqualTo("email:send");
        assertThat(receipt.result().path("messageId").asText()).isEqualTo(messageId);
    }

    @Test
    void aRetriedStepNeverSendsTwice() throws Exception {
        SendThenStumble.ATTEMPTS.set(0);
        start(ServerSetup.SMTP, """
                email:
                  smtp: { host: 127.0.0.1, port: %d, security: none, from: hello@studio.test }
                """, """
                name: welcome
                trigger: { event: lead.received }
                steps:
                  - id: send
                    agent: send-then-stumble
                    retry: { attempts: 3, backoff: 10ms }
                    input:
                      to: event.data.email
                      subject: "'Hello'"
                      text: "'Hello there'"
                """);
        var runId = lead("Bob");
        var run = Eventually.await(() -> kernel.run(runId), r -> r.status().isFinal());

        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.steps().getFirst().attempts()).hasSize(2);
        Thread.sleep(300);
        assertThat(mail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void overTlsWithALoginTheEmailIsSent() throws Exception {
        start(ServerSetup.SMTPS, """
                email:
                  smtp:
                    host: 127.0.0.1
                    port: %d
                    security: tls
                    trust: "*"
                    username: studio
                    password: SMTP_PASSWORD
                    from: hello@studio.test
                """, PLAYBOOK);
        var runId = lead("Cy");
        var run = Eventually.await(() -> kernel.run(runId), r -> r.status().isFinal());

        assertThat(run.status()).as(String.valueOf(run.error())).isEqualTo(RunStatus.COMPLETED);
        assertThat(mail.getReceivedMessages()).hasSize(1);
    }

    static final String SMTPS = """
            email:
              smtp:
                host: 127.0.0.1
                port: %d
                security: tls
                username: studio
                password: SMTP_PASSWORD
                from: hello@studio.test
            """;

    @Test
    void overTlsToAServerWhoseOwnCertificateIsTrustedTheEmailIsSent() throws Exception {
        var pem = ImapsTest.greenMailCertificate(dir);
        start(ServerSetup.SMTPS, SMTPS + "    certificate: " + pem + "\n", PLAYBOOK);
        var runId = lead("Di");
        var run = Eventually.await(() -> kernel.run(runId), r -> r.status().isFinal());

        assertThat(run.status()).as(String.valueOf(run.error())).isEqualTo(RunStatus.COMPLETED);
        assertThat(mail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void overTlsToAServerNobodyTrustedNothingIsSentAndTheStepSaysHowToTrustIt() throws Exception {
        start(ServerSetup.SMTPS, SMTPS, PLAYBOOK);
        var runId = lead("Eve");
        var run = Eventually.await(() -> kernel.run(runId), r -> !r.tasks().isEmpty());

        assertThat(run.steps().getFirst().error().orElseThrow())
                .contains("certificate is not trusted")
                .contains("email.smtp.certificate");
        assertThat(mail.getReceivedMessages()).isEmpty();
    }

    @Test
    void aPasswordSecretThatIsNotSetParksTheStepSayingHowToSetIt() throws Exception {
        start(ServerSetup.SMTP, """
                email:
                  smtp:
                    host: 127.0.0.1
                    port: %d
                    security: starttls
                    trust: "*"
                    username: studio
                    password: WRONG_PASSWORD
                    from: hello@studio.test
                """, PLAYBOOK);
        var runId = lead("Flo");
        var run = Eventually.await(() -> kernel.run(runId), r -> !r.tasks().isEmpty());

        assertThat(run.steps().getFirst().error().orElseThrow())
                .contains("secret 'WRONG_PASSWORD'")
                .contains("aios secret set WRONG_PASSWORD");
        assertThat(mail.getReceivedMessages()).isEmpty();
    }

    @Test
    void withoutAServerTheEmailWaitsForTheOperatorAsADraft() throws Exception {
        start(ServerSetup.SMTP, "", PLAYBOOK);
        var runId = lead("Di");
        var run = Eventually.await(() -> kernel.run(runId), r -> !r.tasks().isEmpty());

        var task = run.tasks().getFirst();
        assertThat(task.title()).contains("Send this email to ada@acme.test yourself");
        assertThat(task.proposed().path("subject").asText()).isEqualTo("Welcome, Di");
        assertThat(mail.getReceivedMessages()).isEmpty();
    }
}
