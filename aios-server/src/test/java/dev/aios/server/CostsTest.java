package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Event;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelSettings.Provider;
import dev.aios.models.ModelSettings.Route;
import dev.aios.models.ModelSettings.Wire;
import dev.aios.models.ModelsExtension;
import dev.aios.server.internal.http.CostRoutes;
import dev.aios.testing.Http;
import dev.aios.testing.Poll;
import dev.aios.testing.ScriptedModelServer;
import dev.aios.testing.ScriptedModelServer.Reply;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/costs} and {@code aios costs}: what prompt agents spent, by day, agent and playbook. */
class CostsTest {
    static final String PLAYBOOK = """
            name: notes
            trigger: note.requested
            agents:
              - name: write-note
                kind: prompt
                prompt: "Write a thank-you note to {{input.client}}."
            steps:
              - id: write
                agent: write-note
                input: { client: event.subject }
            """;

    @TempDir
    Path dir;

    final ScriptedModelServer provider = ScriptedModelServer.start();
    Kernel kernel;
    ApiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (kernel != null) {
            kernel.close();
        }
        provider.close();
    }

    @Test
    void theOperatorSeesWhatModelCallsCostByDayAgentAndPlaybook() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/notes.yaml"), PLAYBOOK);
        var models = new ModelsExtension(ModelSettings.none()
                .withProvider(
                        new Provider("openai", Wire.OPENAI, provider.openAiBaseUrl(), "sk-test", Duration.ofSeconds(5)))
                .withClass("small", new Route("openai", "gpt-4o"))
                .withClass("large", new Route("openai", "gpt-4o")));
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(models)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        server = ApiServer.start(kernel, "127.0.0.1", 0, new CostRoutes(models));
        var token = TestAios.adminToken(dir.resolve("data"));
        var http = Http.to("http://127.0.0.1:" + server.port()).withToken(token);
        // gpt-4o: $2.50 per million tokens in, $10 per million out
        provider.enqueue(Reply.json("{\"text\": \"Thank you, Acme!\", \"confidence\": 0.9}", 2000, 500));

        var runId = kernel.send(new Event(
                        UUID.randomUUID().toString(),
                        "note.requested",
                        "acme",
                        "test",
                        Instant.now(),
                        new ObjectMapper().createObjectNode(),
                        "",
                        ""))
                .started()
                .getFirst();
        Poll.until(
                "the note to be written",
                () -> kernel.run(runId).status(),
                status -> status == RunStatus.COMPLETED,
                Duration.ofSeconds(10),
                () -> "");

        var costs = http.get("/api/costs").expect(200).json();
        assertThat(costs.path("total").path("calls").asInt()).isEqualTo(1);
        assertThat(costs.path("total").path("costUsd").decimalValue()).isEqualByComparingTo("0.01");
        assertThat(costs.path("byAgent").get(0).path("key").asText()).isEqualTo("write-note");
        assertThat(costs.path("byPlaybook").get(0).path("key").asText()).isEqualTo("notes");
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        assertThat(costs.path("byDay").get(0).path("key").asText()).isEqualTo(today);
        assertThat(http.get("/api/costs?from=2000-01-01&to=2000-01-02")
                        .expect(200)
                        .json()
                        .path("total")
                        .path("calls")
                        .asInt())
                .isZero();
        assertThat(http.get("/api/costs?from=yesterday").expect(400).body()).contains("2025-05-01");

        var out = new StringWriter();
        var commandLine = Main.commandLine(Map.of("AIOS_TOKEN", token));
        commandLine.setOut(new PrintWriter(out, true));
        int exit = commandLine.execute("costs", "--server", "http://127.0.0.1:" + server.port());
        assertThat(exit).isZero();
        assertThat(out.toString())
                .contains("total  $0.01 for 1 model calls (0 from the cache), 2000 tokens in, 500 out")
                .contains("DAY", today, "AGENT", "write-note", "PLAYBOOK", "notes");
    }
}
