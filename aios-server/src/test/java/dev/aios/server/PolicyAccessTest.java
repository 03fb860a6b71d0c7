package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.AuditEntry;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.Scope;
import dev.aios.kernel.TaskView;
import dev.aios.policy.PolicyExtension;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.cli.AiosCommand;
import dev.aios.server.internal.http.PolicyRoutes;
import dev.aios.testing.Poll;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may change the policy, and the audit trail of every version: the author is the token that
 * made the change, reading needs {@code read}, correcting needs {@code operate}, and anything that
 * changes the policy (widening autonomy included) needs {@code admin}.
 */
class PolicyAccessTest {
    @TempDir
    Path dir;

    Kernel kernel;
    PolicyExtension policy;
    ApiServer server;
    String url;
    String owner;
    String operator;
    String viewer;
    final HttpClient http = HttpClient.newHttpClient();

    record Answer(int status, JsonNode json) {}

    @BeforeEach
    void start() throws Exception {
        policy = PolicyExtension.builder().build();
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/greet.yaml"), """
                name: greeting
                trigger: { event: person.met }
                steps:
                  - id: greet
                    agent: greeter
                    input: { name: event.data.name }
                """);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .agent(new PolicyApiTest.Greeter())
                .playbookDirectory(dir.resolve("playbooks"))
                .extension(policy)
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        server = ApiServer.start(kernel, "127.0.0.1", 0, new PolicyRoutes(policy, kernel));
        url = "http://127.0.0.1:" + server.port();
        owner = token("owner", Scope.ADMIN);
        operator = token("assistant", Scope.OPERATE);
        viewer = token("dashboard", Scope.READ);
    }

    @AfterEach
    void stop() {
        server.close();
        kernel.close();
    }

    String token(String name, Scope scope) {
        return kernel.tokens().create(name, Set.of(scope), Optional.empty()).secret();
    }

    Answer send(String token, String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url + path))
                .header("Authorization", "Bearer " + token)
                .header("X-Aios-Author", "mallory");
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        var response = http.send(
                request.method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(
                response.statusCode(),
                response.body().isEmpty()
                        ? Json.mapper().createObjectNode()
                        : Json.mapper().readTree(response.body()));
    }

    String cli(String token, String... args) {
        var out = new StringWriter();
        var command = AiosCommand.commandLine(Map.of("AIOS_URL", url, "AIOS_TOKEN", token));
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(out));
        command.execute(args);
        return out.toString();
    }

    List<AuditEntry> policyAudit() {
        return kernel.audit().since(Instant.EPOCH, 1000).stream()
                .filter(e -> e.action().startsWith("policy.")
                        || e.action().startsWith("flag.")
                        || e.action().startsWith("suggestion."))
                .toList();
    }

    String greet(String name) {
        return kernel.send(new dev.aios.api.Event(
                        "met-" + name,
                        "person.met",
                        name,
                        "test",
                        Instant.now(),
                        Json.mapper().createObjectNode().put("name", name),
                        "",
                        ""))
                .started()
                .getFirst();
    }

    Optional<TaskView> openTaskOf(String runId) {
        return kernel.tasks(false).stream().filter(t -> t.runId().equals(runId)).findFirst();
    }

    @Test
    void everyPolicyVersionIsRecordedInTheAuditLogUnderTheTokenThatMadeItNotTheNameTheClientGives() throws Exception {
        var changed = send(owner, "PUT", "/api/policy", """
                {"document": {"gates": [{"name": "hold-all", "when": "true", "decide": "approve"}]}, "basedOn": 1,
                 "reason": "review everything"}""");
        var flagged = send(owner, "PUT", "/api/flags/greeter", "{\"state\": \"shadow\"}");
        var back = send(owner, "POST", "/api/policy/rollback", "{\"version\": 1}");

        assertThat(List.of(changed.status(), flagged.status(), back.status())).containsOnly(200);
        assertThat(changed.json().path("author").asText()).isEqualTo("owner");
        assertThat(policyAudit())
                .extracting(e -> e.actor() + " " + e.action() + " " + e.target() + " v"
                        + e.details().path("version").asInt())
                .containsExactly(
                        "kernel policy.load policy v1",
                        "owner policy.change policy v2",
                        "owner flag.change greeter v3",
                        "owner policy.rollback policy v4");
        assertThat(policyAudit().get(1).details().path("reason").asText()).isEqualTo("review everything");
        assertThat(kernel.audit().verify()).isEmpty();
    }

    @Test
    void aReadTokenOnlyLooksAnOperateTokenCorrectsAndOnlyAnAdminChangesThePolicy() throws Exception {
        for (var path : List.of("/api/policy", "/api/suggestions", "/api/alerts", "/api/answers", "/api/flags")) {
            assertThat(send(viewer, "GET", path, null).status()).as(path).isEqualTo(200);
        }
        var correction = "{\"run\": \"r-none\", \"step\": \"greet\", \"output\": {\"text\": \"Hi\"}}";
        assertThat(send(viewer, "POST", "/api/corrections", correction).status())
                .isEqualTo(403);
        assertThat(send(operator, "POST", "/api/corrections", correction).status())
                .as("allowed, but there is no such run")
                .isEqualTo(404);
        assertThat(send(operator, "PUT", "/api/policy", "{\"document\": {}, \"basedOn\": 1}")
                        .status())
                .isEqualTo(403);
        assertThat(send(operator, "PUT", "/api/flags/greeter", "{\"state\": \"off\"}")
                        .status())
                .isEqualTo(403);
        assertThat(send(operator, "POST", "/api/suggestions/s-1/accept", "{}").status())
                .isEqualTo(403);
        var unknown = send(owner, "POST", "/api/suggestions/s-1/accept", "{}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("detail").asText()).contains("aios policy suggestions");
        assertThat(policy.current().version()).isEqualTo(1);
    }

    @Test
    void aSuggestionApprovedInTheInboxWithAnOperateTokenWaitsForAnAdminWhoseAcceptIsAudited() throws Exception {
        var gated = send(owner, "PUT", "/api/policy", """
                {"yaml": "gates:\\n  - {name: review-greetings, when: \\"agent == 'greeter'\\", decide: approve}\\nlearning: {streak: 2}\\n",
                 "basedOn": 1}""");
        assertThat(gated.status()).isEqualTo(200);
        for (var name : List.of("ada", "bob")) {
            var run = greet(name);
            var task = Poll.until(
                    "the greeting held for review", () -> openTaskOf(run), Optional::isPresent, Duration.ofSeconds(30));
            assertThat(send(operator, "POST", "/api/tasks/" + task.get().id() + "/approve", null)
                            .status())
                    .isEqualTo(200);
        }
        var suggestion = Poll.until(
                        "a suggestion in the inbox",
                        () -> {
                            policy.settle();
                            return policy.suggestions();
                        },
                        s -> s.size() == 1 && s.get(0).has("run"),
                        Duration.ofSeconds(30))
                .get(0);
        // The suggestion's run opens its inbox task on its own schedule.
        var inboxTask = Poll.until(
                        "the suggestion's inbox task",
                        () -> openTaskOf(suggestion.path("run").asText()),
                        Optional::isPresent,
                        Duration.ofSeconds(30))
                .orElseThrow();

        assertThat(send(operator, "POST", "/api/tasks/" + inboxTask.id() + "/approve", null)
                        .status())
                .isEqualTo(200);
        policy.settle();

        var waiting = policy.suggestions().get(0);
        assertThat(waiting.path("status").asText()).isEqualTo("proposed");
        assertThat(waiting.path("note").asText())
                .contains("'assistant', whose token may not change the policy")
                .contains("aios policy suggestions accept "
                        + suggestion.path("id").asText());
        assertThat(policy.current().version()).isEqualTo(2);
        assertThat(cli(viewer, "policy", "suggestions"))
                .contains(suggestion.path("id").asText())
                .contains("proposed");

        assertThat(cli(
                        operator,
                        "policy",
                        "suggestions",
                        "accept",
                        suggestion.path("id").asText()))
                .contains("may not POST")
                .contains("that needs admin");
        assertThat(cli(
                        owner,
                        "policy",
                        "suggestions",
                        "accept",
                        suggestion.path("id").asText()))
                .contains("accepted: auto-approve greeter")
                .contains("policy version 3");
        assertThat(cli(
                        owner,
                        "policy",
                        "suggestions",
                        "accept",
                        suggestion.path("id").asText()))
                .contains("is accepted, not proposed");

        assertThat(policyAudit())
                .extracting(e -> e.actor() + " " + e.action() + " v"
                        + e.details().path("version").asInt())
                .endsWith("owner suggestion.accept v3");
        assertThat(policy.current().author()).isEqualTo("owner");
        var through = greet("carol");
        var done = Poll.until(
                "carol's greeting", () -> kernel.run(through), r -> r.status().isFinal(), Duration.ofSeconds(30));
        assertThat(done.tasks()).as("the accepted region commits on its own").isEmpty();
    }
}
