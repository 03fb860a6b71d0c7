package dev.aios.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.aios.api.Event;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** send-email with security: starttls: the connection is upgraded before the login, or nothing is sent. */
class StartTlsTest {
    @TempDir
    Path dir;

    GreenMail mail;
    StartTlsProxy proxy;
    Kernel kernel;

    @BeforeEach
    void startMailServer() throws Exception {
        mail = new GreenMail(ServerSetup.SMTP.dynamicPort());
        mail.start();
        mail.setUser("studio@studio.test", "studio", "s3cret");
        proxy = new StartTlsProxy(mail.getSmtp().getPort());
    }

    @AfterEach
    void stop() throws Exception {
        if (kernel != null) {
            kernel.close();
        }
        proxy.close();
        mail.stop();
    }

    RunView send(int port) throws Exception {
        var settings = ConnectorSettings.read(new YAMLMapper().readTree("""
                email:
                  smtp:
                    host: 127.0.0.1
                    port: %d
                    security: starttls
                    trust: "*"
                    username: studio
                    password: SMTP_PASSWORD
                    from: hello@studio.test
                """.formatted(port))::get);
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/p.yaml"), SendEmailTest.PLAYBOOK);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(new ConnectorsExtension(
                        settings,
                        name -> Optional.ofNullable(
                                Map.of("SMTP_PASSWORD", "s3cret").get(name))))
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10))
                .build();
        kernel.start();
        var data = JsonNodeFactory.instance
                .objectNode()
                .put("email", "ada@acme.test")
                .put("name", "Ed");
        var runId = kernel.send(new Event("lead-Ed", "lead.received", "acme", "test", Instant.now(), data, "", ""))
                .started()
                .getFirst();
        return Eventually.await(
                () -> kernel.run(runId), r -> r.status().isFinal() || !r.tasks().isEmpty(), Duration.ofSeconds(60));
    }

    @Test
    void theConnectionIsUpgradedToTlsBeforeTheLoginAndTheEmailIsSent() throws Exception {
        var run = send(proxy.port());

        assertThat(run.status()).as(String.valueOf(run.steps())).isEqualTo(RunStatus.COMPLETED);
        assertThat(proxy.upgraded).isTrue();
        assertThat(mail.getReceivedMessages()).singleElement().satisfies(m -> assertThat(m.getSubject())
                .isEqualTo("Welcome, Ed"));
    }

    @Test
    void aServerWithoutStartTlsGetsNothingInTheClear() throws Exception {
        var run = send(mail.getSmtp().getPort());

        assertThat(run.status()).isEqualTo(RunStatus.NEEDS_ATTENTION);
        assertThat(run.steps().getFirst().error().orElseThrow()).contains("STARTTLS");
        assertThat(mail.getReceivedMessages()).isEmpty();
    }
}
