package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.aios.api.AgentStep;
import dev.aios.api.Playbook;
import dev.aios.api.Step;
import dev.aios.api.Trigger;
import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.connectors.internal.webhook.Hmac;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.server.internal.http.WebhookRoutes;
import dev.aios.testing.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "connect your own tools" example as the README gives it: its aios.yaml and lead-intake
 * playbook, a signed form post, and a real SMTP server (GreenMail) receiving the answer.
 */
class ConnectYourToolsTest {
    static final Path EXAMPLE = Path.of("..", "aios-examples", "connect");

    @TempDir
    Path dir;

    @Test
    void aLeadFromTheWebsiteFormIsAnsweredByEmailAndHandedOn() throws Exception {
        var setup = ServerSetup.SMTP.dynamicPort();
        setup.setServerStartupTimeout(30_000);
        var mail = new GreenMail(setup);
        mail.start();
        var yaml = (ObjectNode)
                new YAMLMapper().readTree(EXAMPLE.resolve("aios.yaml").toFile());
        ((ObjectNode) yaml.path("email").path("smtp"))
                .put("port", mail.getSmtp().getPort());
        var connectors = new ConnectorsExtension(
                ConnectorSettings.read(yaml::get),
                name -> name.equals("FORM_SECRET") ? Optional.of("form-secret") : Optional.empty());
        var playbooks = Files.createDirectories(dir.resolve("playbooks"));
        Files.copy(EXAMPLE.resolve("playbooks/lead-intake.yaml"), playbooks.resolve("lead-intake.yaml"));
        var kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .agent(new EchoPlaybook.Echo())
                // stands for the design subscription, which takes the lead from here
                .playbook(Playbook.builder("subscription")
                        .trigger(Trigger.on("lead.received"))
                        .step(AgentStep.of("note", "echo")
                                .withInput("text", "event.data.need")
                                .withNext(Step.END))
                        .build())
                .extension(connectors)
                .playbookDirectory(playbooks)
                .pollInterval(Duration.ofMillis(20))
                .build();
        try (var server = ApiServer.start(kernel, "127.0.0.1", 0, new WebhookRoutes(kernel, connectors))) {
            kernel.start();
            assertThat(kernel.lastLoad().refused()).isEmpty();
            var form = "name=Ada+Lovelace&email=Ada%40Acme.test&company=Acme&budget=4000&need=a+brand+refresh";
            var signature = HexFormat.of()
                    .formatHex(Hmac.sha256(
                            "form-secret".getBytes(StandardCharsets.UTF_8), form.getBytes(StandardCharsets.UTF_8)));
            var answer = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + server.port() + "/hooks/website-form"))
                                    .header("Content-Type", "application/x-www-form-urlencoded")
                                    .header("X-Form-Signature", signature)
                                    .POST(HttpRequest.BodyPublishers.ofString(form))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);

            assertThat(mail.waitForIncomingEmail(30_000, 1)).isTrue();
            var reply = mail.getReceivedMessages()[0];
            assertThat(reply.getAllRecipients()[0].toString()).isEqualTo("Ada@Acme.test");
            assertThat(reply.getSubject()).isEqualTo("Thanks for getting in touch, Ada Lovelace");
            var handedOn = Poll.until(
                    "the lead to be handed on",
                    () -> kernel.runs(RunQuery.all().withPlaybook("subscription")),
                    runs -> !runs.isEmpty(),
                    Duration.ofSeconds(30));
            var subscription = kernel.run(handedOn.getFirst().id());
            assertThat(subscription.subject()).isEqualTo("ada@acme.test");
            assertThat(subscription.trigger().path("data").path("budget").asInt())
                    .isEqualTo(4000);
            Poll.until(
                    "the handed-on run to complete",
                    () -> kernel.run(subscription.id()),
                    run -> run.status() == RunStatus.COMPLETED,
                    Duration.ofSeconds(30));
        } finally {
            kernel.close();
            mail.stop();
        }
    }
}
