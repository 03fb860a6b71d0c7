package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Event;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelSettings.Provider;
import dev.aios.models.ModelSettings.Route;
import dev.aios.models.ModelSettings.Wire;
import dev.aios.models.ModelsExtension;
import dev.aios.server.internal.http.MetricsRoutes;
import dev.aios.server.internal.metrics.Metrics;
import dev.aios.testing.Poll;
import dev.aios.testing.ScriptedModelServer;
import dev.aios.testing.ScriptedModelServer.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics}: what a Prometheus scraper gets from a running aios, checked by Prometheus's
 * own parser and linter ({@code promtool check metrics}, from the Debian package {@code
 * prometheus}, which {@code .ci/run} installs).
 */
class MetricsTest {
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
              - id: check
                approval: { title: "send it?" }
            """;

    @TempDir
    Path dir;

    final ScriptedModelServer provider = ScriptedModelServer.start();
    final HttpClient http = HttpClient.newHttpClient();
    Metrics metrics;
    Kernel kernel;
    ApiServer server;

    @BeforeEach
    void start() throws IOException {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/notes.yaml"), PLAYBOOK);
        var models = new ModelsExtension(ModelSettings.none()
                .withProvider(
                        new Provider("openai", Wire.OPENAI, provider.openAiBaseUrl(), "sk-test", Duration.ofSeconds(5)))
                .withClass("small", new Route("openai", "gpt-4o"))
                .withClass("large", new Route("openai", "gpt-4o")));
        var memory = MemoryExtension.of(MemorySettings.defaults());
        metrics = new Metrics(InstantSource.system());
        metrics.watchJvm();
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .meterRegistry(metrics.registry())
                .extension(models)
                .extension(memory)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        metrics.watch(kernel);
        metrics.watch(memory);
        server = ApiServer.start(kernel, "127.0.0.1", 0, new MetricsRoutes(metrics));
    }

    @AfterEach
    void stop() {
        server.close();
        kernel.close();
        metrics.close();
        provider.close();
    }

    @Test
    void aScraperReadsRunsStepsModelCallsTasksAndTheJvmInPrometheusFormat() throws Exception {
        provider.enqueue(Reply.json("{\"text\": \"Thank you, Acme!\", \"confidence\": 0.9}", 2000, 500));
        var runId = send("acme");
        Poll.until(
                "the note to wait for approval",
                () -> kernel.run(runId).status(),
                status -> status == RunStatus.NEEDS_ATTENTION || status == RunStatus.WAITING,
                Duration.ofSeconds(20),
                () -> "");

        var response = get("/metrics", "text/plain");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        String text = response.body();

        assertThat(promtool(text)).as("promtool check metrics").isEmpty();
        assertThat(value(text, "aios_runs", "status=\"running\"")
                        + value(text, "aios_runs", "status=\"waiting\"")
                        + value(text, "aios_runs", "status=\"needs-attention\""))
                .isEqualTo(1);
        assertThat(value(text, "aios_tasks_open", "kind=\"approval\"")).isEqualTo(1);
        assertThat(value(text, "aios_tasks_oldest_age_seconds", "kind=\"approval\""))
                .isGreaterThanOrEqualTo(0);
        assertThat(value(text, "aios_dead_letters", "")).isZero();
        assertThat(value(
                        text,
                        "aios_step_duration_seconds_count",
                        "agent=\"write-note\"",
                        "outcome=\"completed\"",
                        "playbook=\"notes\""))
                .isEqualTo(1);
        assertThat(value(text, "aios_model_calls_total", "provider=\"openai\"", "model=\"gpt-4o\"", "cached=\"false\""))
                .isEqualTo(1);
        assertThat(value(text, "aios_model_tokens_total", "model=\"gpt-4o\"", "type=\"input\""))
                .isEqualTo(2000);
        assertThat(value(text, "aios_model_tokens_total", "model=\"gpt-4o\"", "type=\"output\""))
                .isEqualTo(500);
        assertThat(value(text, "aios_model_cost_usd_total", "model=\"gpt-4o\"")).isEqualTo(0.01);
        assertThat(value(text, "aios_connector_call_seconds_count", "connector=\"openai\"", "outcome=\"success\""))
                .isEqualTo(1);
        assertThat(value(text, "aios_connector_breaker_state", "connector=\"openai\"", "state=\"closed\""))
                .isEqualTo(1);
        assertThat(value(text, "aios_writer_commit_seconds_count", "")).isPositive();
        assertThat(value(text, "aios_storage_writable", "")).isEqualTo(1);
        assertThat(text)
                .contains("aios_queue_lag_seconds", "aios_memory_index_chunks", "aios_memory_embedding_queue")
                .contains("jvm_memory_used_bytes", "process_uptime_seconds", "hikaricp_connections");
        // Run ids never become labels: the number of series must not grow with the number of runs.
        assertThat(text).doesNotContain(runId);
    }

    @Test
    void aScraperThatAsksForOpenMetricsGetsOpenMetrics() throws Exception {
        var response = get("/metrics", "application/openmetrics-text; version=1.0.0");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/openmetrics-text");
        assertThat(response.body().strip()).endsWith("# EOF");
        assertThat(response.body()).contains("# TYPE aios_runs gauge");
    }

    private String send(String subject) {
        return kernel.send(new Event(
                        UUID.randomUUID().toString(),
                        "note.requested",
                        subject,
                        "test",
                        Instant.now(),
                        new ObjectMapper().createObjectNode(),
                        "",
                        ""))
                .started()
                .getFirst();
    }

    private HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .header("Accept", accept)
                        .header("Authorization", "Bearer " + TestAios.adminToken(dir.resolve("data")))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The problems promtool finds in {@code exposition} (parse errors and lint), one per line. */
    static List<String> promtool(String exposition) throws IOException, InterruptedException {
        var promtool = Promtool.find();
        var process = new ProcessBuilder(promtool, "check", "metrics")
                .redirectErrorStream(true)
                .start();
        try (var in = process.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        var problems = new ArrayList<String>(
                out.lines().filter(line -> !line.isBlank()).toList());
        if (process.exitValue() != 0 && problems.isEmpty()) {
            problems.add("promtool exited with " + process.exitValue());
        }
        return problems;
    }

    /** The sum of the samples of {@code name} whose labels contain every one of {@code labels}. */
    static double value(String exposition, String name, String... labels) {
        var sample = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$");
        double sum = 0;
        boolean found = false;
        for (var line : exposition.lines().toList()) {
            var match = sample.matcher(line);
            if (!match.matches()) {
                continue;
            }
            String labelSet = match.group(1) == null ? "" : match.group(1);
            boolean all = true;
            for (var label : labels) {
                all &= labelSet.contains(label);
            }
            if (all) {
                sum += Double.parseDouble(match.group(2));
                found = true;
            }
        }
        assertThat(found)
                .as("a sample of " + name + " with " + String.join(",", labels) + " in:\n" + exposition)
                .isTrue();
        return sum;
    }
}
