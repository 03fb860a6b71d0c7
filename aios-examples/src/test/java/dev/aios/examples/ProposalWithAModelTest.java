package dev.aios.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.aios.api.Event;
import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunView;
import dev.aios.kernel.StepStatus;
import dev.aios.kernel.TestClock;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelSettings.Provider;
import dev.aios.models.ModelSettings.Route;
import dev.aios.models.ModelSettings.Wire;
import dev.aios.models.ModelsExtension;
import dev.aios.testing.ScriptedModelServer;
import dev.aios.testing.ScriptedModelServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The design studio with a model provider and a mail server: the proposal email is written by the
 * model and sent, no task needed.
 */
class ProposalWithAModelTest {
    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    final ScriptedModelServer provider = ScriptedModelServer.start();
    GreenMail mail;
    Kernel kernel;

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
        provider.close();
        if (mail != null) {
            mail.stop();
        }
    }

    @Test
    void theModelWritesTheProposalEmailFromTheProjectAndTheRunGoesOnToTheSprint() throws Exception {
        var settings = ModelSettings.none()
                .withProvider(
                        new Provider("openai", Wire.OPENAI, provider.openAiBaseUrl(), "sk-test", Duration.ofSeconds(5)))
                .withClass("small", new Route("openai", "gpt-4o-mini"))
                .withClass("large", new Route("openai", "gpt-4o"));
        var models = new ModelsExtension(settings);
        var smtp = ServerSetup.SMTP.dynamicPort();
        smtp.setServerStartupTimeout(30_000);
        mail = new GreenMail(smtp);
        mail.start();
        var connectors = ConnectorSettings.read(
                new ObjectMapper().readTree("""
                        {"email": {"smtp": {"host": "127.0.0.1", "port": %d, "security": "none",
                                            "from": "Studio <hello@studio.test>"}}}
                        """.formatted(mail.getSmtp().getPort()))::get);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .discoverAgents()
                .discoverPlaybooks()
                .extension(models)
                .extension(new ConnectorsExtension(connectors, name -> Optional.empty()))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        provider.enqueue(Reply.json("""
                {"to": "ada@acme.test", "subject": "Your design subscription",
                 "body": "Hi Ada, here is the standard plan ...", "confidence": 0.92}""", 900, 250));

        var data = new ObjectMapper().readTree(DesignStudioPlaybookTest.STRONG_LEAD);
        String runId = kernel.send(new Event(
                        UUID.randomUUID().toString(), "lead.received", "acme", "test", clock.instant(), data, "", ""))
                .started()
                .getFirst();
        RunView inSprint = Eventually.await(() -> kernel.run(runId), run -> run.steps().stream()
                .anyMatch(s -> s.id().equals("sprint") && s.status().equals(StepStatus.WAITING)));

        assertThat(kernel.tasks(false)).isEmpty();
        assertThat(inSprint.context().path("propose").path("subject").asText()).isEqualTo("Your design subscription");
        assertThat(mail.getReceivedMessages()).singleElement().satisfies(sent -> {
            assertThat(sent.getAllRecipients()).extracting(Object::toString).containsExactly("ada@acme.test");
            assertThat(sent.getSubject()).isEqualTo("Your design subscription");
            assertThat(GreenMailUtil.getBody(sent)).contains("Hi Ada, here is the standard plan ...");
        });
        var prompt = provider.requests().getFirst().body().toString();
        assertThat(prompt)
                .contains("Write the proposal email to Ada Lovelace at Acme")
                .contains("standard plan at 3995 USD a month")
                .contains(inSprint.context().path("project").path("projectId").asText());
        var costs = models.costs(Optional.empty(), Optional.empty());
        assertThat(costs.byAgent()).singleElement().satisfies(line -> {
            assertThat(line.key()).isEqualTo("draft-proposal");
            assertThat(line.costUsd()).isEqualByComparingTo("0.000285");
        });
    }
}
