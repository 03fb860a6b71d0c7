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

    @BeforeEach
    void start() {
        policy = PolicyExtension.builder()
                .settings(Json.mapper()
                        .createObjectNode()
                        .set("segments", Json.mapper().createObjectNode().put("vips", "record.?vip.orValue(false)")))
                .build();
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(policy)
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        server = ApiServer.start(kernel, "127.0.0.1", 0, new PolicyRoutes(policy));
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
}
