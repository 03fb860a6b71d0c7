package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelsExtension;
import dev.aios.policy.PolicyExtension;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.WeeklyReview;
import dev.aios.server.internal.console.Console;
import dev.aios.server.internal.console.LiveFeed;
import dev.aios.server.internal.console.LocalAccess;
import dev.aios.server.internal.console.TokenAccess;
import dev.aios.server.internal.http.ConnectorRoutes;
import dev.aios.server.internal.http.CostRoutes;
import dev.aios.server.internal.http.DigestRoutes;
import dev.aios.server.internal.http.MemoryRoutes;
import dev.aios.server.internal.http.MetricsRoutes;
import dev.aios.server.internal.http.PolicyRoutes;
import dev.aios.server.internal.http.WebhookRoutes;
import dev.aios.server.internal.metrics.Metrics;
import dev.aios.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /openapi.json}: the routes aios serves are exactly those in the document, and real answers (successes and problem documents) match the schemas the
 * document gives for their status.
 */
class OpenApiTest {
    @TempDir
    Path dir;

    Metrics metrics;
    Kernel kernel;
    ApiServer server;
    JsonNode document;
    String token;
    DocumentedAnswers answers;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/notes.yaml"), MetricsTest.PLAYBOOK);
        // No model provider: the prompt step becomes a task for the operator.
        var models = new ModelsExtension(ModelSettings.none());
        var memory = MemoryExtension.of(MemorySettings.defaults());
        var connectors = new ConnectorsExtension(ConnectorSettings.read(name -> null), name -> Optional.empty());
        var policy = PolicyExtension.builder().build();
        var live = new LiveFeed();
        metrics = new Metrics(InstantSource.system());
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .meterRegistry(metrics.registry())
                .extension(models)
                .extension(memory)
                .extension(connectors)
                .extension(policy)
                .extension(live)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        // The same parts as `aios up` serves (UpCommand).
        token = TestAios.adminToken(dir.resolve("data"));
        server = ApiServer.start(
                kernel,
                "127.0.0.1",
                0,
                new CostRoutes(models),
                new MemoryRoutes(kernel, memory, InstantSource.system()),
                new dev.aios.server.internal.http.McpRoutes(kernel, memory, InstantSource.system()),
                new WebhookRoutes(kernel, connectors),
                new ConnectorRoutes(connectors),
                new PolicyRoutes(policy, kernel),
                new MetricsRoutes(metrics),
                new DigestRoutes(new WeeklyReview(kernel, models, InstantSource.system())),
                new Console(
                        kernel,
                        live,
                        models,
                        memory,
                        new TokenAccess(kernel.tokens(), new LocalAccess(InstantSource.system())),
                        InstantSource.system()));
        answers = new DocumentedAnswers("http://127.0.0.1:" + server.port(), token);
        document = answers.document;
    }

    @AfterEach
    void stop() {
        server.close();
        kernel.close();
        metrics.close();
    }

    @Test
    void everyRouteServedIsDocumentedAndNothingElse() {
        var served = new TreeSet<String>();
        for (var route : server.routes()) {
            if (route.method().matches("GET|POST|PUT|DELETE|PATCH")) {
                served.add(route.method() + " " + route.path());
            }
        }
        var documented = new TreeSet<String>();
        document.path("paths").properties().forEach(path -> path.getValue()
                .properties()
                .forEach(method -> documented.add(method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey())));

        var undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        assertThat(undocumented)
                .as("routes served but missing from aios-server/src/main/resources/dev/aios/server/openapi.yaml;"
                        + " document them there")
                .isEmpty();
        var stale = new TreeSet<>(documented);
        stale.removeAll(served);
        assertThat(stale).as("routes in openapi.yaml that aios does not serve").isEmpty();
    }

    @Test
    void everyOperationNamesTheTokenScopeTheServerAsksFor() {
        var scheme = document.path("components").path("securitySchemes").path("token");
        assertThat(scheme.path("type").asText()).isEqualTo("http");
        assertThat(scheme.path("scheme").asText()).isEqualTo("bearer");
        var wrong = new TreeSet<String>();
        for (var route : server.routes()) {
            var operation = document.path("paths")
                    .path(route.path())
                    .path(route.method().toLowerCase(Locale.ROOT));
            if (!operation.isMissingNode() && !documentedAccess(operation).equals(route.access())) {
                wrong.add(route.method() + " " + route.path() + " needs " + route.access() + ", documented as "
                        + documentedAccess(operation));
            }
        }
        assertThat(wrong)
                .as("operations whose security in openapi.yaml is not what the server checks")
                .isEmpty();
    }

    /**
     * What an operation documents that it needs: {@code open} for {@code security: []}, {@code
     * self} where it also says {@code x-aios-access: self} (it checks its callers itself), else the
     * scope named in its {@code token} requirement.
     */
    private String documentedAccess(JsonNode operation) {
        var security = operation.has("security") ? operation.get("security") : document.path("security");
        if (security.isEmpty()) {
            return operation.path("x-aios-access").asText("open");
        }
        var scopes = security.get(0).path("token");
        return scopes.isEmpty() ? "any" : scopes.get(0).asText();
    }

    @Test
    void callersWithoutTheRightTokenGetTheDocumentedProblems() throws Exception {
        var readOnly = kernel.tokens()
                .create("reader", java.util.EnumSet.of(dev.aios.kernel.Scope.READ), Optional.empty())
                .secret();
        answers.token(null);
        check("POST", "/api/playbooks/reload", "/api/playbooks/reload", null, 401);
        check("GET", "/api/tokens", "/api/tokens", null, 401);
        check("GET", "/openapi.json", "/openapi.json", null, 200);
        answers.token(readOnly);
        check("POST", "/api/playbooks/reload", "/api/playbooks/reload", null, 403);
        check("GET", "/api/audit", "/api/audit", null, 403);
        check("GET", "/api/runs", "/api/runs", null, 200);
    }

    @Test
    void realAnswersMatchTheDocumentedSchemas() throws Exception {
        var accepted = check(
                "POST",
                "/api/events",
                "/api/events",
                "{\"type\":\"note.requested\",\"subject\":\"acme\",\"data\":{}}",
                202);
        var runId = accepted.path("started").get(0).asText();
        Poll.until(
                "the note to wait for the operator",
                () -> kernel.run(runId).status(),
                status -> status == RunStatus.NEEDS_ATTENTION || status == RunStatus.WAITING,
                Duration.ofSeconds(30));
        check(
                "POST",
                "/api/events",
                "/api/events",
                "{\"id\":\"" + accepted.path("eventId").asText()
                        + "\",\"type\":\"note.requested\",\"subject\":\"acme\"}",
                200);
        check("GET", "/health", "/health", null, 200);
        check("GET", "/api/runs", "/api/runs", null, 200);
        check("GET", "/api/runs/" + runId, "/api/runs/{id}", null, 200);
        check("GET", "/api/runs/" + runId + "/journal", "/api/runs/{id}/journal", null, 200);
        var tasks = check("GET", "/api/tasks", "/api/tasks", null, 200);
        assertThat(tasks).isNotEmpty();
        var taskId = tasks.get(0).path("id").asText();
        check("GET", "/api/tasks/" + taskId, "/api/tasks/{id}", null, 200);
        check("GET", "/api/playbooks", "/api/playbooks", null, 200);
        check("GET", "/api/agents", "/api/agents", null, 200);
        check("POST", "/api/playbooks/reload", "/api/playbooks/reload", null, 200);
        check(
                "POST",
                "/api/tasks/" + taskId + "/approve",
                "/api/tasks/{id}/approve",
                "{\"edit\":{\"text\":\"Thank you!\",\"confidence\":1}}",
                200);
        check("POST", "/api/tasks/" + taskId + "/approve", "/api/tasks/{id}/approve", "{}", 409);
        check("GET", "/api/runs/no-such-run", "/api/runs/{id}", null, 404);
        check("GET", "/api/runs?limit=many", "/api/runs", null, 400);
        check("POST", "/api/events", "/api/events", "{\"type\":", 400);
        check("POST", "/api/subjects/acme/forget", "/api/subjects/{subject}/forget", null, 200);
        check("POST", "/api/subjects/forgotten:0/forget", "/api/subjects/{subject}/forget", null, 400);
        check("GET", "/api/subjects/acme/forgotten", "/api/subjects/{subject}/forgotten", null, 200);
        check("GET", "/api/subjects/nobody/forgotten", "/api/subjects/{subject}/forgotten", null, 200);
        check("GET", "/schemas/playbook.json", "/schemas/{name}", null, 200);
        check("GET", "/schemas/nothing.json", "/schemas/{name}", null, 404);
        check(
                "POST",
                "/api/tokens",
                "/api/tokens",
                "{\"name\":\"laptop\",\"scopes\":[\"read\"],\"expires\":\"90d\"}",
                201);
        check("POST", "/api/tokens", "/api/tokens", "{\"name\":\"laptop\",\"scopes\":[\"read\"]}", 409);
        check("POST", "/api/tokens", "/api/tokens", "{\"name\":\"phone\",\"scopes\":[\"everything\"]}", 400);
        check("GET", "/api/tokens", "/api/tokens", null, 200);
        check("DELETE", "/api/tokens/laptop", "/api/tokens/{name}", null, 200);
        check("DELETE", "/api/tokens/nobody", "/api/tokens/{name}", null, 404);
        check("GET", "/api/audit?since=2026-01-01T00:00:00Z", "/api/audit", null, 200);
        check("GET", "/api/secrets", "/api/secrets", null, 200);
    }

    @Test
    void everySuccessfulAnswerAndEveryRequestBodyHasASchemaThatSaysWhatItHolds() {
        var untyped = new TreeSet<String>();
        document.path("paths")
                .properties()
                .forEach(path -> path.getValue().properties().forEach(operation -> {
                    var name = operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
                    operation.getValue().path("responses").properties().forEach(response -> {
                        if (response.getKey().startsWith("2")) {
                            untyped.addAll(saysNothing(name + " " + response.getKey(), resolve(response.getValue())));
                        }
                    });
                    untyped.addAll(
                            saysNothing(name + " request", operation.getValue().path("requestBody")));
                }));
        assertThat(untyped)
                .as("successful answers and request bodies documented only as \"a JSON document\" (any value, or an"
                        + " object with nothing said about it); give each a schema in openapi.yaml")
                .isEmpty();
    }

    /** The media types of {@code body} whose schema says nothing: missing, empty, or just an object. */
    private static List<String> saysNothing(String what, JsonNode body) {
        var found = new ArrayList<String>();
        body.path("content").properties().forEach(media -> {
            var schema = media.getValue().path("schema");
            boolean nothing = schema.isMissingNode()
                    || schema.isEmpty()
                    || (schema.size() == 1 && schema.path("type").asText().equals("object"));
            if (nothing) {
                found.add(what + " " + media.getKey());
            }
        });
        return found;
    }

    @Test
    void everyReferenceInTheDocumentLeadsSomewhere() {
        assertThat(document.path("openapi").asText()).isEqualTo("3.1.0");
        var dangling = new ArrayList<String>();
        references(document, dangling);
        assertThat(dangling).as("$refs that point nowhere").isEmpty();
        // The checks above would pass on anything if the validator accepted everything.
        var problem = Json.mapper().createObjectNode().put("$ref", "#/components/schemas/Problem");
        assertThat(answers.validator(problem)
                        .validate(Json.mapper().createObjectNode().put("status", "bad")))
                .isNotEmpty();
    }

    @Test
    void noValueInTheDocumentIsAnUnquotedSentenceSplitAtItsComma() {
        // In a YAML flow mapping, `description: a, b` is the description "a" and a key "b" with no value.
        var empty = new ArrayList<String>();
        nulls(document, "", empty);
        assertThat(empty)
                .as("keys without a value in openapi.yaml; quote the text they were cut from")
                .isEmpty();
    }

    private static void nulls(JsonNode node, String at, List<String> found) {
        if (node.isNull()) {
            found.add(at);
        } else if (node.isObject()) {
            node.properties().forEach(field -> nulls(field.getValue(), at + "/" + field.getKey(), found));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                nulls(node.get(i), at + "/" + i, found);
            }
        }
    }

    private void references(JsonNode node, List<String> dangling) {
        if (node.isObject()) {
            var ref = node.get("$ref");
            if (ref != null && document.at(ref.asText().substring(1)).isMissingNode()) {
                dangling.add(ref.asText());
            }
            node.forEach(child -> references(child, dangling));
        } else if (node.isArray()) {
            node.forEach(child -> references(child, dangling));
        }
    }

    private JsonNode check(String method, String path, String template, String body, int status) throws Exception {
        return answers.check(method, path, template, body, status);
    }

    private JsonNode resolve(JsonNode node) {
        return answers.resolve(node);
    }
}
