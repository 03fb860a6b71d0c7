package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.Kernel;
import dev.aios.policy.PolicyExtension;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.cli.AiosCommand;
import dev.aios.server.internal.http.PolicyRoutes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The central policy over real HTTP and the real command line. */
class PolicyApiTest {
    @TempDir
    Path dir;

    Kernel kernel;
    PolicyExtension policy;
    ApiServer server;
    String url;
    final HttpClient http = HttpClient.newHttpClient();

    record Answer(int status, JsonNode json) {}

    record Person(String name) {}

    record Greeting(String text) {}

    static final class Greeter implements dev.aios.api.Agent<Person, Greeting> {
        @Override
        public dev.aios.api.Contract<Person, Greeting> contract() {
            return dev.aios.api.Contract.of("greeter", "1", Person.class, Greeting.class);
        }

        @Override
        public Greeting run(Person input, dev.aios.api.AgentContext context) {
            return new Greeting("Hello!");
        }
    }

    @BeforeEach
    void start() {
        policy = PolicyExtension.builder()
                .settings(Json.mapper()
                        .createObjectNode()
                        .set("segments", Json.mapper().createObjectNode().put("vips", "record.?vip.orValue(false)")))
                .build();
        try {
            Files.createDirectories(dir.resolve("playbooks"));
            Files.writeString(dir.resolve("playbooks/greet.yaml"), """
                    name: greeting
                    trigger: { event: person.met }
                    steps:
                      - id: greet
                        agent: greeter
                        input: { name: event.data.name }
                    """);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .agent(new Greeter())
                .playbookDirectory(dir.resolve("playbooks"))
                .extension(policy)
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        server = ApiServer.start(kernel, "127.0.0.1", 0, new PolicyRoutes(policy, kernel));
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        kernel.close();
    }

    Answer send(String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TestAios.adminToken(dir.resolve("data")))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), Json.mapper().readTree(response.body()));
    }

    String cli(String... args) {
        var out = new StringWriter();
        var command = AiosCommand.commandLine(
                Map.of("AIOS_URL", url, "AIOS_TOKEN", TestAios.adminToken(dir.resolve("data"))));
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(out));
        command.execute(args);
        return out.toString();
    }

    @Test
    void thePolicyIsReadChangedAndRolledBackOverHttp() throws Exception {
        var first = send("GET", "/api/policy", null);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().path("version").asInt()).isEqualTo(1);

        var put = send("PUT", "/api/policy", """
                {"yaml": "gates:\\n  - {name: hold-all, when: 'true', decide: approve}\\n", "basedOn": 1,
                 "reason": "review everything for now"}""");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.json().path("version").asInt()).isEqualTo(2);
        assertThat(put.json().path("document").path("gates").get(0).path("name").asText())
                .isEqualTo("hold-all");

        var stale = send("PUT", "/api/policy", "{\"document\": {}, \"basedOn\": 1}");
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.json().path("detail").asText()).contains("now version 2");

        var back = send("POST", "/api/policy/rollback", "{\"version\": 1}");
        assertThat(back.json().path("version").asInt()).isEqualTo(3);
        assertThat(send("GET", "/api/policy/versions", null).json()).hasSize(3);
    }

    @Test
    void aPolicyWithProblemsIsRefusedWithEveryProblemAndNothingChanges() throws Exception {
        var refused = send("PUT", "/api/policy", """
                {"document": {"gates": [{"name": "x", "when": "agent ==", "decide": "never"}]}, "basedOn": 1}""");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("detail").asText())
                .contains("2 problems")
                .contains("gates[0].when")
                .contains("gates[0].decide");
        assertThat(send("GET", "/api/policy", null).json().path("version").asInt())
                .isEqualTo(1);
        assertThat(send("PUT", "/api/policy", "{\"document\": {}}").status()).isEqualTo(400);
    }

    @Test
    void theCommandLineShowsSetsAndRollsBackThePolicyAndItsFlags() throws Exception {
        var file = dir.resolve("policy.yaml");
        Files.writeString(file, """
                segments:
                  vips: "record.?vip.orValue(false)"
                flags:
                  draft-proposal: shadow
                """);

        assertThat(cli("policy", "set", file.toString(), "--reason", "shadow the drafts"))
                .contains("policy version 2 is in force");
        assertThat(cli("flags", "set", "draft-proposal", "off", "--segment", "vips"))
                .contains("draft-proposal is off for segment vips (policy version 3)");
        assertThat(cli("flags")).contains("draft-proposal", "shadow", "vips: off");
        assertThat(cli("policy")).contains("policy version 3").contains("draft-proposal");
        assertThat(cli("policy", "versions")).contains("shadow the drafts").contains("aios.yaml");
        assertThat(cli("policy", "rollback", "1")).contains("policy version 4 (the policy of version 1)");
        assertThat(cli("flags")).contains("no flags");
        assertThat(cli("flags", "set", "draft-proposal", "maybe")).contains("a flag is on, off or shadow");
    }

    @Test
    void theCommandLineCorrectsACommittedOutputAndListsAlertsAndSuggestions() throws Exception {
        var runId = kernel.send(new dev.aios.api.Event(
                        "e-1",
                        "person.met",
                        "ada",
                        "test",
                        java.time.Instant.now(),
                        Json.mapper().createObjectNode().put("name", "Ada"),
                        "",
                        ""))
                .started()
                .getFirst();
        dev.aios.testing.Poll.until(
                "the greeting to complete",
                () -> kernel.run(runId),
                r -> r.status().isFinal(),
                Duration.ofSeconds(30));

        assertThat(cli(
                        "correct",
                        runId,
                        "greet",
                        "--output",
                        "{\"text\": \"Hello, Ada!\"}",
                        "--reason",
                        "use the name"))
                .contains("correction of step greet in run " + runId + " kept (1 change)");
        assertThat(cli("correct", runId, "wave", "--output", "{}")).contains("has no completed step 'wave'");
        assertThat(send("GET", "/api/answers?days=30", null)
                        .json()
                        .get(0)
                        .path("corrected")
                        .asInt())
                .isEqualTo(1);
        assertThat(cli("alerts")).contains("no open alerts");
        assertThat(cli("policy", "suggestions")).contains("no suggestions yet");
    }
}
