package dev.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Event;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunView;
import dev.aios.kernel.TestClock;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelSettings.Provider;
import dev.aios.models.ModelSettings.Route;
import dev.aios.models.ModelSettings.Wire;
import dev.aios.models.ModelsExtension;
import dev.aios.testing.ScriptedModelServer;
import dev.aios.testing.ScriptedModelServer.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy between prompt agents and a real provider connection: the scripted provider never sees
 * the personal data, the step's output has it back, and the call's receipt says what was redacted;
 * spend limits per subject stop calls before they are made.
 */
class ModelCallsTest {
    static final String PLAYBOOK = """
            name: letters
            trigger:
              event: letter.requested
            agents:
              - name: write-letter
                kind: prompt
                prompt: "Write to {{input.name}} <{{input.email}}> about: {{input.about}}"
                output:
                  type: object
                  properties: { body: { type: string } }
                  required: [body]
            steps:
              - id: write
                agent: write-letter
                input: { name: event.data.name, email: event.data.email, about: event.data.about }
            """;

    static final String POLICY = """
            segments:
              health: "record.?sector.orValue('') == 'health'"
            privacy:
              redact: [emails, phones]
              fields: ["$.name"]
              localOnly: [health]
            """;

    @TempDir
    Path dir;

    final ScriptedModelServer provider = ScriptedModelServer.start();
    final TestClock clock = new TestClock();
    final Map<String, JsonNode> records = new HashMap<>();
    Kernel kernel;

    void start(boolean local) throws IOException {
        start(local, POLICY);
    }

    void start(boolean local, String policyYaml) throws IOException {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/letters.yaml"), PLAYBOOK);
        var settings = ModelSettings.none()
                .withProvider(new Provider(
                        "openai", Wire.OPENAI, provider.openAiBaseUrl(), "sk-test", Duration.ofSeconds(5), local))
                .withClass("small", new Route("openai", "gpt-4o-mini"));
        var policy = PolicyExtension.builder()
                .settings(PolicyHarness.yaml(policyYaml))
                .knowledge(id -> Optional.ofNullable(records.get(id)))
                .build();
        var models = new ModelsExtension(settings).guard(policy.promptGuard()).spendLimits(policy.spendLimits());
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .extension(models)
                .extension(policy)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
    }

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
        provider.close();
    }

    String letter(String subject) {
        return letter(subject, "the invoice; call her on +44 20 7946 0958");
    }

    String letter(String subject, String about) {
        var data = PolicyHarness.JSON
                .objectNode()
                .put("name", "Ann Example")
                .put("email", "ann@example.com")
                .put("about", about);
        return kernel.send(new Event(
                        UUID.randomUUID().toString(),
                        "letter.requested",
                        subject,
                        "test",
                        clock.instant(),
                        data,
                        "",
                        ""))
                .started()
                .getFirst();
    }

    RunView settled(String runId) {
        return Eventually.await(
                () -> kernel.run(runId),
                run -> run.status().isFinal()
                        || run.tasks().stream().anyMatch(t -> t.status() == dev.aios.kernel.TaskStatus.OPEN));
    }

    @Test
    void theProviderNeverSeesThePersonalDataAndTheOutputHasItBack() throws IOException {
        start(false);
        provider.enqueue(
                Reply.json(
                        "{\"body\": \"Dear [PERSONAL_1], I will call [PHONE_1] and write to [EMAIL_1].\", \"confidence\": 0.9}"));

        var run = settled(letter("acme"));

        var sent = provider.requests().getFirst().body().toString();
        assertThat(sent).doesNotContain("Ann Example", "ann@example.com", "7946 0958");
        assertThat(sent).contains("[PERSONAL_1]", "[EMAIL_1]", "[PHONE_1]");
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        var step = run.steps().getFirst();
        assertThat(step.output().path("body").asText())
                .isEqualTo("Dear Ann Example, I will call +44 20 7946 0958 and write to ann@example.com.");
        var receipt = step.receipts().getFirst().result();
        assertThat(receipt.path("redacted").toString())
                .contains("\"kind\":\"$.name\"", "\"kind\":\"emails\"", "\"kind\":\"phones\"")
                .doesNotContain("Ann Example");
        assertThat(receipt.path("request").toString()).doesNotContain("ann@example.com");
    }

    @Test
    void aSubjectRestrictedToLocalModelsGetsTheOperatorInsteadOfARemoteProvider() throws IOException {
        start(false);
        records.put("customer/clinic", PolicyHarness.yaml("{sector: health}"));

        var run = settled(letter("clinic"));

        assertThat(provider.requests()).isEmpty();
        var task = run.tasks().getFirst();
        assertThat(task.status()).isEqualTo(dev.aios.kernel.TaskStatus.OPEN);
        assertThat(task.explanation()).contains("segment 'health'").contains("local: true");
    }

    @Test
    void aLocalProviderGetsThePromptAsWritten() throws IOException {
        start(true);
        records.put("customer/clinic", PolicyHarness.yaml("{sector: health}"));
        provider.enqueue(Reply.json("{\"body\": \"Dear Ann\", \"confidence\": 0.9}"));

        var run = settled(letter("clinic"));

        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(provider.requests().getFirst().body().toString()).contains("Ann Example", "ann@example.com");
    }

    @Test
    void aSubjectsSpendLimitStopsItsNextCallButNotOtherSubjects() throws IOException {
        start(false, "limits: [{subject: '*', spend: 0.001, per: 1d}]");
        provider.enqueue(
                Reply.json("{\"body\": \"one\", \"confidence\": 0.9}", 2000, 1000),
                Reply.json("{\"body\": \"two\", \"confidence\": 0.9}", 2000, 1000));

        var first = settled(letter("acme", "the first invoice"));
        var second = settled(letter("acme", "the second invoice"));
        var other = settled(letter("globex", "their invoice"));

        assertThat(first.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(second.tasks().getFirst().explanation())
                .contains("policy limit subject *: at most $0.001 per 1d")
                .contains("was not made");
        assertThat(other.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(provider.requests()).hasSize(2);
    }
}
