package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.testing.Poll;
import dev.aios.testing.ScriptedModelServer;
import dev.aios.testing.ScriptedModelServer.Reply;
import dev.aios.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code aios up --log-format json} writes: one JSON object a line, lines written on behalf of
 * a run carry its run, step and subject, library logs through java.util.logging come out the same
 * way, and the provider's API key appears nowhere, not even when the provider fails.
 */
class LoggingIT {
    static final String SECRET = "sk-live-d0-n0t-l0g-7f3a9c";
    static final String PLAYBOOK = """
            name: notes
            trigger: note.requested
            agents:
              - name: write-note
                kind: prompt
                prompt: "Write a thank-you note to {{input.client}}."
            steps:
              - id: log
                agent: log-lines
                input: { text: event.data.text }
              - id: write
                agent: write-note
                input: { client: event.subject }
                retry: { attempts: 1 }
            """;

    @TempDir
    Path directory;

    @Test
    void jsonLinesNameTheirRunStepAndSubjectAndNeverTheApiKey() throws Exception {
        var playbooks = Files.createDirectories(directory.resolve("playbooks"));
        Files.writeString(playbooks.resolve("notes.yaml"), PLAYBOOK);
        try (var provider = ScriptedModelServer.start();
                var server = ServerProcess.builder(directory)
                        .environment("OPENAI_API_KEY", SECRET)
                        .environment("OPENAI_BASE_URL", provider.openAiBaseUrl())
                        .arguments("--playbooks", playbooks.toString(), "--no-examples", "--log-format", "json")
                        .start()) {
            provider.enqueue(Reply.serverError("invalid api key " + SECRET.substring(0, 6) + "…"));
            var http = server.http();
            var accepted = http.post(
                            "/api/events",
                            "{\"type\": \"note.requested\", \"subject\": \"acme\", \"data\": {\"text\": \"hello\"}}")
                    .expect(202)
                    .json();
            String runId = accepted.path("started").get(0).asText();
            Poll.until(
                    "the prompt step to be parked after the provider failed",
                    () -> http.get("/api/runs/" + runId).expect(200).json(),
                    run -> run.path("status").asText().equals("needs-attention"),
                    Duration.ofSeconds(60),
                    () -> server.explain("server log"));

            var lines = jsonLines(server.output());
            assertThat(lines).isNotEmpty();
            for (var line : lines) {
                assertThat(line.has("level") && line.has("loggerName") && line.has("formattedMessage"))
                        .as(line.toString())
                        .isTrue();
            }
            var fromSlf4j = only(lines, "slf4j says hello");
            var fromJul = only(lines, "java.util.logging says hello");
            for (var line : List.of(fromSlf4j, fromJul)) {
                assertThat(line.path("mdc").path("run").asText()).isEqualTo(runId);
                assertThat(line.path("mdc").path("step").asText()).isEqualTo("log");
                assertThat(line.path("mdc").path("subject").asText()).isEqualTo("acme");
            }
            assertThat(fromJul.path("loggerName").asText()).isEqualTo("dev.aios.test.jul");
            assertThat(server.output()).doesNotContain(SECRET);
        }
    }

    private static List<JsonNode> jsonLines(String output) throws Exception {
        var mapper = new ObjectMapper();
        var lines = new ArrayList<JsonNode>();
        for (var line : output.lines().toList()) {
            if (line.startsWith("{")) {
                lines.add(mapper.readTree(line));
            }
        }
        return lines;
    }

    private static JsonNode only(List<JsonNode> lines, String message) {
        var found = lines.stream()
                .filter(line -> line.path("formattedMessage").asText().equals(message))
                .toList();
        assertThat(found).as("lines saying '" + message + "' in " + lines).hasSize(1);
        return found.getFirst();
    }
}
