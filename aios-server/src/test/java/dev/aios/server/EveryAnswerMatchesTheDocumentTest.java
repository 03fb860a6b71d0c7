package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.connectors.DeliveryStatus;
import dev.aios.connectors.internal.webhook.Hmac;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.TaskView;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelsExtension;
import dev.aios.policy.PolicyExtension;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.WeeklyReview;
import dev.aios.server.internal.http.ConnectorRoutes;
import dev.aios.server.internal.http.CostRoutes;
import dev.aios.server.internal.http.DigestRoutes;
import dev.aios.server.internal.http.MemoryRoutes;
import dev.aios.server.internal.http.PolicyRoutes;
import dev.aios.server.internal.http.WebhookRoutes;
import dev.aios.testing.Poll;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real answers of the API's operations (runs, playbooks, costs, memory, policy, connectors, the
 * digest and the documents themselves), each checked against the schema {@code /openapi.json} gives
 * it: what a client generated from the document reads is what aios sends.
 */
class EveryAnswerMatchesTheDocumentTest {
    static final String GREETING = """
            name: greeting
            trigger: person.met
            steps:
              - id: greet
                agent: echo
                input: { text: "'Hello, ' + event.data.name" }
            """;
    static final String HELD = """
            name: held
            trigger: note.held
            steps:
              - id: check
                approval: { title: "go on?" }
            """;
    static final String PARTY = """
            name: party
            trigger: party.held
            steps:
              - id: greet-host
                call:
                  playbook: greeting
                  input: { name: event.data.host }
                  wait: true
            """;
    static final String WEEKLY = """
            name: weekly
            trigger: { schedule: "0 9 * * MON" }
            steps:
              - id: greet
                agent: echo
                input: { text: "'weekly'" }
            """;
    static final String SETTINGS = """
            sources:
              form:
                scheme: hmac-sha256
                header: X-Signature
                secret: FORM_SECRET
                type: "'person.seen'"
                subject: body.name
                id: body.id
              ask:
                scheme: hmac-sha256
                header: X-Signature
                secret: FORM_SECRET
                type: "'person.met'"
                subject: body.name
                respond: sync
                playbook: greeting
            subscriptions:
              crm: { url: "http://127.0.0.1:%d/hooks", events: ["person.*"], secret: CRM_SECRET, attempts: 1 }
            """;

    @TempDir
    Path dir;

    Kernel kernel;
    ConnectorsExtension connectors;
    PolicyExtension policy;
    MemoryExtension memory;
    ApiServer server;
    DocumentedAnswers api;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/greeting.yaml"), GREETING);
        Files.writeString(dir.resolve("playbooks/held.yaml"), HELD);
        Files.writeString(dir.resolve("playbooks/weekly.yaml"), WEEKLY);
        Files.writeString(dir.resolve("playbooks/party.yaml"), PARTY);
        int closed;
        try (var socket = new ServerSocket(0)) {
            closed = socket.getLocalPort(); // nothing listens there once the socket is closed
        }
        var settings = new YAMLMapper().readTree(SETTINGS.formatted(closed));
        connectors = new ConnectorsExtension(
                ConnectorSettings.read(settings::get),
                name -> Optional.ofNullable(Map.of("FORM_SECRET", "form-secret", "CRM_SECRET", "whsec_c2VjcmV0")
                        .get(name)));
        var models = new ModelsExtension(ModelSettings.none());
        memory = MemoryExtension.of(MemorySettings.defaults());
        policy = PolicyExtension.builder()
                .settings(Json.mapper()
                        .createObjectNode()
                        .set("segments", Json.mapper().createObjectNode().put("vips", "record.?vip.orValue(false)")))
                .build();
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .agent(new EchoPlaybook.Echo())
                .extension(models)
                .extension(memory)
                .extension(connectors)
                .extension(policy)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        server = ApiServer.start(
                kernel,
                "127.0.0.1",
                0,
                new CostRoutes(models),
                new MemoryRoutes(kernel, memory, InstantSource.system()),
                new WebhookRoutes(kernel, connectors),
                new ConnectorRoutes(connectors),
                new PolicyRoutes(policy, kernel),
                new DigestRoutes(new WeeklyReview(kernel, models, InstantSource.system())));
        api = new DocumentedAnswers("http://127.0.0.1:" + server.port(), TestAios.adminToken(dir.resolve("data")));
    }

    @AfterEach
    void stop() {
        server.close();
        kernel.close();
    }

    @Test
    void runsPlaybooksWebhooksAndConnectorsAnswerAsDocumented() throws Exception {
        api.check("GET", "/openapi.json", "/openapi.json", null, 200);
        api.check("GET", "/schemas/aios-config.json", "/schemas/{name}", null, 200);

        var done = api.check(
                "POST",
                "/api/playbooks/greeting/invoke?wait=10s",
                "/api/playbooks/{name}/invoke",
                "{\"subject\":\"ada\",\"data\":{\"name\":\"Ada\"}}",
                200);
        assertThat(done.path("output").path("text").asText()).isEqualTo("Hello, Ada");
        var pending =
                api.check("POST", "/api/playbooks/held/invoke?wait=0s", "/api/playbooks/{name}/invoke", "{}", 202);
        assertThat(pending.path("location").asText())
                .isEqualTo("/api/runs/" + pending.path("runId").asText());

        var party = api.check(
                        "POST",
                        "/api/playbooks/party/invoke?wait=10s",
                        "/api/playbooks/{name}/invoke",
                        "{\"data\":{\"host\":\"Hal\"}}",
                        200)
                .path("runId")
                .asText();
        var child = api.check("GET", "/api/runs/" + party, "/api/runs/{id}", null, 200)
                .path("children")
                .get(0)
                .path("run")
                .asText();
        assertThat(api.check("GET", "/api/runs/" + child, "/api/runs/{id}", null, 200)
                        .path("parent")
                        .path("run")
                        .asText())
                .isEqualTo(party);

        var run = done.path("runId").asText();
        var replay = api.check("POST", "/api/runs/" + run + "/replay", "/api/runs/{id}/replay", null, 200);
        assertThat(replay.path("divergences")).isEmpty();
        var edited = Json.mapper()
                .createObjectNode()
                .put("yaml", GREETING.replace("'Hello, '", "'Hi, '"))
                .put("origin", "greeting.yaml")
                .toString();
        var whatIf = api.check("POST", "/api/runs/" + run + "/replay", "/api/runs/{id}/replay", edited, 200);
        assertThat(whatIf.path("divergences").get(0).path("kind").asText()).isEqualTo("input-changed");
        var compare = Json.mapper()
                .createObjectNode()
                .put("from", "greeting")
                .put("yaml", GREETING.replace("'Hello, '", "'Hi, '"))
                .put("origin", "greeting.yaml")
                .toString();
        var diff = api.check("POST", "/api/playbooks/diff", "/api/playbooks/diff", compare, 200);
        assertThat(diff.path("changed")).isNotEmpty();
        assertThat(diff.path("runs")).isNotEmpty();

        var seen = "{\"id\":\"f-1\",\"name\":\"bea\"}";
        var received = api.check("POST", "/hooks/form", "/hooks/{source}", seen, "application/json", signed(seen), 202);
        assertThat(received.path("eventId").asText()).isNotBlank();
        assertThat(api.check("POST", "/hooks/form", "/hooks/{source}", seen, "application/json", signed(seen), 200)
                        .path("duplicate")
                        .asBoolean())
                .isTrue();
        var asked = "{\"name\":\"Cy\"}";
        assertThat(api.check(
                                "POST",
                                "/hooks/ask?wait=10s",
                                "/hooks/{source}",
                                asked,
                                "application/json",
                                signed(asked),
                                200)
                        .path("output")
                        .path("text")
                        .asText())
                .isEqualTo("Hello, Cy");

        var schedules = api.check("GET", "/api/schedules?next=2", "/api/schedules", null, 200);
        assertThat(schedules.get(0).path("next")).hasSize(2);
        Poll.until(
                "a failed delivery to the closed port",
                () -> {
                    connectors.deliverNow();
                    return connectors.deliveries(Optional.of(DeliveryStatus.FAILED), 10);
                },
                list -> !list.isEmpty(),
                Duration.ofSeconds(30));
        assertThat(api.check("GET", "/api/deliveries", "/api/deliveries", null, 200))
                .isNotEmpty();
        api.check("GET", "/api/costs", "/api/costs", null, 200);
        api.check("GET", "/api/costs?from=2026-01-01&to=2026-12-31", "/api/costs", null, 200);
        var digest = api.check("GET", "/api/digest?since=1d", "/api/digest", null, 200);
        assertThat(digest.path("digest").path("longest")).isNotEmpty();
    }

    @Test
    void memoryAnswersAsDocumented() throws Exception {
        var item = api.check("POST", "/api/memory", "/api/memory", """
                {"kind": "note", "subject": "ada", "text": "Ada prefers invoices in euros, sent on Mondays.",
                 "metadata": {"from": "call", "tags": ["billing"]}, "importance": 0.8, "pinned": true}""", 201);
        assertThat(item.path("metadata").path("from").asText()).isEqualTo("call");
        var found =
                api.check("GET", "/api/memory/search?q=invoices%20euros&explain=true", "/api/memory/search", null, 200);
        assertThat(found.path("items")).isNotEmpty();
        assertThat(found.path("plan").path("words")).isNotEmpty();
        api.check(
                "PUT",
                "/api/memory/knowledge",
                "/api/memory/knowledge",
                "{\"id\":\"customer/ada\",\"kind\":\"customer\",\"subject\":\"ada\",\"content\":{\"vip\":true}}",
                200);
        var second = api.check(
                "PUT",
                "/api/memory/knowledge",
                "/api/memory/knowledge",
                "{\"id\":\"customer/ada\",\"kind\":\"customer\",\"subject\":\"ada\",\"content\":{\"vip\":false}}",
                200);
        assertThat(second.path("version").asInt()).isEqualTo(2);
        api.check("GET", "/api/memory/knowledge?id=customer/ada&version=1", "/api/memory/knowledge", null, 200);
        assertThat(api.check(
                        "GET",
                        "/api/memory/knowledge/history?id=customer/ada",
                        "/api/memory/knowledge/history",
                        null,
                        200))
                .hasSize(2);
        var stats = api.check("GET", "/api/memory/stats", "/api/memory/stats", null, 200);
        assertThat(stats.path("kinds").path("note").asInt()).isEqualTo(1);
        api.check("POST", "/api/memory/retention", "/api/memory/retention", null, 200);
        var forgotten = api.check("DELETE", "/api/memory/subjects/ada", "/api/memory/subjects/{subject}", null, 200);
        assertThat(forgotten.path("memoryItems").asInt()).isPositive();
        var reindex = api.check("POST", "/api/memory/reindex", "/api/memory/reindex", null, 202);
        assertThat(reindex.path("reason").asText()).isEqualTo("asked for");
        Poll.until("the memory index to be rebuilt", memory::indexState, state -> state.ready(), WAIT);
        var health = api.check("GET", "/health", "/health", null, 200);
        assertThat(health.path("memory").path("index").path("state").asText()).isEqualTo("ready");
    }

    @Test
    void policyAndAutonomyAnswerAsDocumented() throws Exception {
        var gated = api.check("PUT", "/api/policy", "/api/policy", """
                {"document": {"segments": {"vips": "record.?vip.orValue(false)"},
                              "gates": [{"name": "review-echo", "when": "agent == 'echo'", "decide": "approve"}],
                              "learning": {"streak": 1}},
                 "basedOn": 1, "reason": "review the greetings"}""", 200);
        assertThat(gated.path("version").asInt()).isEqualTo(2);
        api.check("PUT", "/api/flags/echo", "/api/flags/{agent}", "{\"state\":\"shadow\",\"segment\":\"vips\"}", 200);
        assertThat(api.check("GET", "/api/flags", "/api/flags", null, 200)
                        .path("echo")
                        .path("segments")
                        .path("vips")
                        .asText())
                .isEqualTo("shadow");
        api.check("GET", "/api/segments/ada", "/api/segments/{subject}", null, 200);
        var asked = "{\"name\":\"Eve\"}";
        api.check("POST", "/hooks/ask?wait=1s", "/hooks/{source}", asked, "application/json", signed(asked), 202);

        approveGreeting("ada");
        var first = proposed();
        api.check(
                "POST",
                "/api/suggestions/" + first + "/decline",
                "/api/suggestions/{id}/decline",
                "{\"reason\":\"not yet\"}",
                200);
        approveGreeting("bob");
        approveGreeting("cy");
        var second = proposed();
        var accepted =
                api.check("POST", "/api/suggestions/" + second + "/accept", "/api/suggestions/{id}/accept", "{}", 200);
        assertThat(accepted.path("status").asText()).isEqualTo("accepted");
        assertThat(api.check("GET", "/api/suggestions", "/api/suggestions", null, 200))
                .hasSize(2);
        assertThat(api.check("GET", "/api/answers", "/api/answers", null, 200)).isNotEmpty();

        var auto = greet("dan");
        Poll.until("dan's greeting to commit on its own", () -> kernel.run(auto).status(), s -> s.isFinal(), WAIT);
        var correction = api.check(
                "POST",
                "/api/corrections",
                "/api/corrections",
                "{\"run\":\"" + auto + "\",\"step\":\"greet\",\"output\":{\"text\":\"Hello, Dan!\"}}",
                200);
        assertThat(correction.path("revoked").path("suggestion").asText()).isEqualTo(second);
        api.check("GET", "/api/alerts?all=true", "/api/alerts", null, 200);
        assertThat(api.check("GET", "/api/policy/versions", "/api/policy/versions", null, 200))
                .hasSizeGreaterThan(3);
        api.check(
                "POST",
                "/api/policy/rollback",
                "/api/policy/rollback",
                "{\"version\":1,\"reason\":\"start over\"}",
                200);
        assertThat(api.check("GET", "/api/policy", "/api/policy", null, 200)
                        .path("reason")
                        .asText())
                .contains("start over");
    }

    static final Duration WAIT = Duration.ofSeconds(30);

    /** Greets {@code name} and approves the greeting the gate holds for review, as it is. */
    private void approveGreeting(String name) throws Exception {
        var run = greet(name);
        var task = Poll.until(
                        "the greeting of " + name + " held for review", () -> openTask(run), Optional::isPresent, WAIT)
                .orElseThrow();
        api.check("POST", "/api/tasks/" + task.id() + "/approve", "/api/tasks/{id}/approve", null, 200);
    }

    /** The id of the one autonomy suggestion proposed now. */
    private String proposed() {
        return Poll.until(
                        "a proposed suggestion",
                        () -> {
                            policy.settle();
                            for (var suggestion : policy.suggestions()) {
                                if (suggestion.path("status").asText().equals("proposed")) {
                                    return Optional.of(suggestion.path("id").asText());
                                }
                            }
                            return Optional.<String>empty();
                        },
                        Optional::isPresent,
                        WAIT)
                .orElseThrow();
    }

    private String greet(String name) throws Exception {
        return api.check(
                        "POST",
                        "/api/events",
                        "/api/events",
                        "{\"type\":\"person.met\",\"subject\":\"" + name + "\",\"data\":{\"name\":\"" + name + "\"}}",
                        202)
                .path("started")
                .get(0)
                .asText();
    }

    private Optional<TaskView> openTask(String run) {
        return kernel.tasks(false).stream().filter(t -> t.runId().equals(run)).findFirst();
    }

    private static Map<String, String> signed(String body) {
        var key = "form-secret".getBytes(StandardCharsets.UTF_8);
        return Map.of("X-Signature", HexFormat.of().formatHex(Hmac.sha256(key, body.getBytes(StandardCharsets.UTF_8))));
    }
}
