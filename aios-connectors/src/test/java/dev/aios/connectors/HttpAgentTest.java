package dev.aios.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.api.Event;
import dev.aios.connectors.LocalHttpServer.Response;
import dev.aios.kernel.ConnectorPolicy;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunView;
import dev.aios.kernel.StepStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The http agent against a real local HTTP server. */
class HttpAgentTest {
    static final String TOKEN = "sk_live_9f8e7d6c5b4a";

    @TempDir
    Path dir;

    Kernel kernel;
    ConnectorsExtension connectors;
    LocalHttpServer server;

    static String playbook(String url, String extra) {
        return """
                name: charge
                trigger: { event: order.placed }
                steps:
                  - id: charge
                    agent: http
                    retry: { attempts: 4, backoff: 10ms }
                    input:
                      method: "'POST'"
                      url: "'%s'"
                      secretHeaders: "{'Authorization': 'Bearer ${PAYMENTS_TOKEN}'}"
                      headers: "{'X-Order': event.data.order}"
                      body: "{'amount': event.data.amount, 'currency': 'eur'}"
                %s""".formatted(url, extra);
    }

    void start(String playbook, Response... responses) throws Exception {
        start(playbook, ConnectorPolicy.DEFAULT, responses);
    }

    void start(String playbook, ConnectorPolicy policy, Response... responses) throws Exception {
        server = new LocalHttpServer(responses);
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/p.yaml"), playbook.replace("URL", server.url("/v1/charges")));
        connectors = new ConnectorsExtension(ConnectorSettings.none(), name -> Optional.empty());
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(connectors)
                .connector("http/127.0.0.1", policy)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10))
                .build();
        kernel.start();
        connectors.setSecret("PAYMENTS_TOKEN", TOKEN);
    }

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
        if (server != null) {
            server.close();
        }
    }

    String order(String id) {
        var data = JsonNodeFactory.instance.objectNode().put("order", id).put("amount", 4200);
        return kernel.send(new Event(id, "order.placed", "acme", "test", Instant.now(), data, "", ""))
                .started()
                .getFirst();
    }

    RunView finished(String runId) {
        return Eventually.await(
                () -> kernel.run(runId),
                run -> run.status().isFinal() || !run.tasks().isEmpty());
    }

    @Test
    void theCallCarriesItsBodyHeadersSecretAndIdempotencyKeyAndItsAnswerIsTheStepsOutput() throws Exception {
        start(playbook("URL", ""), Response.json(201, "{\"id\": \"ch_1\", \"status\": \"paid\"}"));
        var run = finished(order("o-1"));

        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        var request = server.requests.getFirst();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/charges");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(request.header("X-Order")).isEqualTo("o-1");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Idempotency-Key")).isNotBlank();
        assertThat(new YAMLMapper().readTree(request.body()))
                .isEqualTo(new YAMLMapper().readTree("{amount: 4200, currency: eur}"));
        var step = run.steps().getFirst();
        assertThat(step.output().path("status").asInt()).isEqualTo(201);
        assertThat(step.output().path("body").path("id").asText()).isEqualTo("ch_1");
        assertThat(step.receipts().getFirst().name()).isEqualTo("http/127.0.0.1:post");
        assertThat(step.receipts().getFirst().key()).isEqualTo(request.header("Idempotency-Key"));
    }

    @Test
    void aSecretNeverReachesTheJournalTheDatabaseFilesOrTheLogs() throws Exception {
        var root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        var logs = new ListAppender<ILoggingEvent>();
        logs.start();
        root.addAppender(logs);
        var level = root.getLevel();
        root.setLevel(Level.ALL);
        try {
            // The server fails once (the error is logged and journaled) and then answers.
            start(
                    playbook("URL", ""),
                    Response.json(500, "{\"error\": \"try later\"}"),
                    Response.json(200, "{\"ok\": true}"));
            var run = finished(order("o-2"));
            assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(server.requests).hasSize(2);
            assertThat(connectors.secrets())
                    .anySatisfy(secret -> assertThat(secret.name()).isEqualTo("PAYMENTS_TOKEN"));
        } finally {
            root.setLevel(level);
            root.detachAppender(logs);
        }
        // A thread that took the appender before it was detached may still be appending: read a copy
        // taken under the appender's own lock.
        List<ILoggingEvent> logged;
        synchronized (logs) {
            logged = List.copyOf(logs.list);
        }
        assertThat(logged).isNotEmpty();
        assertThat(logged).noneSatisfy(event -> assertThat(event.getFormattedMessage() + throwable(event))
                .contains(TOKEN));
        assertThat(kernel.journal(
                        kernel.runs(dev.aios.kernel.RunQuery.all()).getFirst().id()))
                .noneSatisfy(entry -> assertThat(entry.data().toString()).contains(TOKEN));
        kernel.close();
        kernel = null;
        try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
            for (var file : files.filter(Files::isRegularFile).toList()) {
                var content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(content).as(file.toString()).doesNotContain(TOKEN);
            }
        }
    }

    private static String throwable(ILoggingEvent event) {
        var thrown = event.getThrowableProxy();
        var out = new StringBuilder();
        while (thrown != null) {
            out.append(' ').append(thrown.getMessage());
            thrown = thrown.getCause();
        }
        return out.toString();
    }

    @Test
    void aRetriedCallSendsTheSameIdempotencyKey() throws Exception {
        start(
                playbook("URL", ""),
                Response.json(502, "bad gateway"),
                Response.json(500, "oops"),
                Response.json(200, "{\"id\": \"ch_3\"}"));
        var run = finished(order("o-3"));

        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(server.requests).hasSize(3);
        assertThat(server.requests.stream()
                        .map(r -> r.header("Idempotency-Key"))
                        .distinct())
                .hasSize(1);
        assertThat(run.steps().getFirst().attempts()).hasSize(3);
        assertThat(run.steps().getFirst().attempts().getFirst().error().orElseThrow())
                .contains("POST http://127.0.0.1:")
                .contains("answered 502");
    }

    @Test
    void retryAfterIsHonouredWithoutUsingAnAttempt() throws Exception {
        start(
                playbook("URL", ""),
                new Response(429, Map.of("Retry-After", "1"), "slow down"),
                Response.json(200, "{\"id\": \"ch_4\"}"));
        var runId = order("o-4");
        var waiting = Eventually.await(
                () -> kernel.run(runId),
                run -> run.steps().getFirst().status() == StepStatus.DEFERRED
                        && run.steps().getFirst().deferredBy().equals(Optional.of("later")));
        assertThat(waiting.steps().getFirst().error().orElseThrow()).contains("answered 429 and asked to wait 1s");

        var run = finished(runId);
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(server.requests).hasSize(2);
        var gap = Duration.between(
                run.steps().getFirst().attempts().getFirst().startedAt(),
                run.steps().getFirst().attempts().getLast().startedAt());
        assertThat(gap).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void aRefusalIsNotRetriedAndParksTheStepWithTheServersAnswer() throws Exception {
        start(playbook("URL", ""), Response.json(422, "{\"error\": \"amount must be positive\"}"));
        var run = finished(order("o-5"));

        assertThat(server.requests).hasSize(1);
        assertThat(run.status()).isEqualTo(RunStatus.NEEDS_ATTENTION);
        assertThat(run.steps().getFirst().error().orElseThrow())
                .contains("answered 422")
                .contains("amount must be positive");
    }

    @Test
    void anAnswerThatDoesNotMatchTheResponseSchemaParksTheStep() throws Exception {
        start(
                playbook("URL", "      response: \"{'type': 'object', 'required': ['id']}\"\n"),
                Response.json(200, "{\"status\": \"paid\"}"));
        var run = finished(order("o-6"));

        assertThat(run.status()).isEqualTo(RunStatus.NEEDS_ATTENTION);
        assertThat(run.steps().getFirst().error().orElseThrow())
                .contains("does not match its schema")
                .contains("id");
    }

    @Test
    void aHostThatKeepsFailingOpensItsOwnBreakerAndTheStepWaits() throws Exception {
        start(
                playbook("URL", ""),
                ConnectorPolicy.DEFAULT.withBreaker(50, 2, 2, Duration.ofMinutes(5)),
                Response.json(500, "down"));
        var runId = order("o-7");
        var waiting = Eventually.await(
                () -> kernel.run(runId),
                run -> run.steps().getFirst().status() == StepStatus.DEFERRED
                        && run.steps().getFirst().deferredBy().equals(Optional.of("breaker")));

        assertThat(waiting.steps().getFirst().error().orElseThrow()).contains("'http/127.0.0.1'");
        assertThat(server.requests).hasSize(2);
    }

    @Test
    void aMissingSecretParksTheStepSayingHowToSetIt() throws Exception {
        start(playbook("URL", "").replace("PAYMENTS_TOKEN", "UNSET_TOKEN"), Response.json(200, "{}"));
        var run = finished(order("o-8"));

        assertThat(server.requests).isEmpty();
        assertThat(run.steps().getFirst().error().orElseThrow())
                .contains("secret 'UNSET_TOKEN'")
                .contains("aios secret set UNSET_TOKEN");
    }
}
