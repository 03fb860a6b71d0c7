package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Event;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.Scope;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.server.internal.AiosConfig;
import dev.aios.server.internal.http.McpRoutes;
import dev.aios.testing.Poll;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code /mcp} endpoint's resources for runs and playbooks, read with the MCP Java SDK's client,
 * and its sessions bounded in time and number on a clock the test moves.
 */
class McpResourcesAndSessionsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String LIST_TOOLS = """
            {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}}
            """;

    /** A clock the test moves. */
    static final class Clock implements InstantSource {
        volatile Instant now = Instant.parse("2026-03-02T09:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }
    }

    @TempDir
    Path dir;

    final Clock clock = new Clock();
    McpRoutes mcp;
    Kernel kernel;
    ApiServer server;
    String url;
    final List<McpSyncClient> clients = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        var memory = MemoryExtension.of(MemorySettings.defaults());
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(memory)
                .agent(new EchoPlaybook.Echo())
                .playbook(EchoPlaybook.playbook())
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        mcp = new McpRoutes(kernel, memory, clock, new McpRoutes.SessionLimits(Duration.ofMinutes(30), 2));
        server = ApiServer.start(kernel, "127.0.0.1", 0, mcp);
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        clients.forEach(McpSyncClient::closeGracefully);
        server.close();
        kernel.close();
    }

    String token(String name, Scope... scopes) {
        return kernel.tokens()
                .create(name, EnumSet.copyOf(List.of(scopes)), Optional.empty())
                .secret();
    }

    McpSyncClient connect(String token) {
        var client = McpClients.overHttp(url, token);
        clients.add(client);
        client.initialize();
        return client;
    }

    static JsonNode read(McpSyncClient client, String uri) throws Exception {
        var result =
                client.readResource(McpSchema.ReadResourceRequest.builder(uri).build());
        var contents = (McpSchema.TextResourceContents) result.contents().getFirst();
        assertThat(contents.uri()).isEqualTo(uri);
        assertThat(contents.mimeType()).isEqualTo("application/json");
        return JSON.readTree(contents.text());
    }

    HttpResponse<String> post(String body, String token, Optional<String> session) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url + "/mcp"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        session.ifPresent(id -> request.header("Mcp-Session-Id", id));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    String open(String token) throws Exception {
        var opened = post(McpHttpTest.INITIALIZE, token, Optional.empty());
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);
        return opened.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    int listTools(String token, String session) throws Exception {
        return post(LIST_TOOLS, token, Optional.of(session)).statusCode();
    }

    /**
     * How many sessions the MCP library holds in memory: what the bounds are for. (Read from its
     * private state; nothing else tells.)
     */
    int heldByTheLibrary() throws Exception {
        var transport = McpRoutes.class.getDeclaredMethod("transport");
        transport.setAccessible(true);
        var provider = transport.invoke(mcp);
        var sessions = provider.getClass().getDeclaredField("sessions");
        sessions.setAccessible(true);
        return ((Map<?, ?>) sessions.get(provider)).size();
    }

    @Test
    void aRunAndAPlaybookAreResourcesAReaderCanRead() throws Exception {
        var reader = connect(token("reader", Scope.READ));
        assertThat(reader.listResources().resources())
                .extracting(McpSchema.Resource::uri)
                .containsExactlyInAnyOrder("aios://runs", "aios://playbooks");
        assertThat(reader.listResourceTemplates().resourceTemplates())
                .extracting(McpSchema.ResourceTemplate::uriTemplate)
                .containsExactlyInAnyOrder("aios://runs/{id}", "aios://playbooks/{name}");

        var runId = kernel.send(new Event(
                        "ping-1",
                        EchoPlaybook.TRIGGER,
                        "acme",
                        "test",
                        clock.instant(),
                        JSON.readTree("{\"text\": \"hello\"}"),
                        "",
                        ""))
                .started()
                .getFirst();
        Poll.until(
                "run " + runId + " to ask the operator",
                () -> kernel.run(runId),
                r -> !r.tasks().isEmpty(),
                Duration.ofSeconds(30));

        var run = read(reader, "aios://runs/" + runId);
        assertThat(run.path("id").asText()).isEqualTo(runId);
        assertThat(run.path("status").asText()).isEqualTo("waiting");
        assertThat(run.path("steps").findValuesAsText("id")).contains("say", "check");
        assertThat(run.path("context").path("say").toString()).contains("hello");
        assertThat(run.path("tasks").get(0).path("status").asText()).isEqualTo("open");

        var playbook = read(reader, "aios://playbooks/" + EchoPlaybook.NAME);
        assertThat(playbook.path("name").asText()).isEqualTo(EchoPlaybook.NAME);
        assertThat(playbook.path("description").asText()).isEqualTo("Echoes the ping's text, then asks the operator");
        assertThat(playbook.path("trigger").asText()).isEqualTo(EchoPlaybook.TRIGGER);
        assertThat(playbook.path("steps").toString()).contains("say", "check");
        assertThat(playbook.path("versions").get(0).path("active").asBoolean()).isTrue();
    }

    @Test
    void anUnknownRunOrPlaybookIsAnErrorThatSaysWhereTheyAreListed() {
        var reader = connect(token("reader", Scope.READ));

        assertThatThrownBy(() -> read(reader, "aios://runs/r-nothing"))
                .isInstanceOfSatisfying(
                        McpError.class,
                        e -> assertThat(e.getJsonRpcError().code()).isEqualTo(-32002))
                .hasMessageContaining("no run 'r-nothing'")
                .hasMessageContaining("aios://runs");
        assertThatThrownBy(() -> read(reader, "aios://playbooks/no-such-playbook"))
                .isInstanceOfSatisfying(
                        McpError.class,
                        e -> assertThat(e.getJsonRpcError().code()).isEqualTo(-32002))
                .hasMessageContaining("no playbook named 'no-such-playbook'")
                .hasMessageContaining("aios://playbooks");
    }

    @Test
    void aTokenWithoutReadMayNotReadResources() {
        var sender = connect(token("sender", Scope.INGEST));

        assertThatThrownBy(() -> read(sender, "aios://playbooks/" + EchoPlaybook.NAME))
                .isInstanceOfSatisfying(
                        McpError.class,
                        e -> assertThat(e.getJsonRpcError().code()).isEqualTo(-32003))
                .hasMessageContaining("sender")
                .hasMessageContaining("that needs read");
    }

    @Test
    void aSessionUnusedForItsIdleTimeExpiresAndIsAnswered404() throws Exception {
        var alice = token("alice", Scope.READ);
        var session = open(alice);

        clock.advance(Duration.ofMinutes(20));
        assertThat(listTools(alice, session)).as("used within the idle time").isEqualTo(200);
        clock.advance(Duration.ofMinutes(20));
        assertThat(listTools(alice, session))
                .as("idle time counts from the last use")
                .isEqualTo(200);

        assertThat(heldByTheLibrary()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(30));
        var expired = post(LIST_TOOLS, alice, Optional.of(session));
        assertThat(expired.statusCode()).isEqualTo(404);
        assertThat(expired.body()).contains("start a new one with initialize").doesNotContain("list_tasks");
        assertThat(heldByTheLibrary())
                .as("the expired session's memory is freed")
                .isZero();
        assertThat(listTools(alice, open(alice))).as("a new session").isEqualTo(200);
        assertThat(heldByTheLibrary()).isEqualTo(1);
    }

    @Test
    void theSdkClientOpensANewSessionWhenItsOwnExpired() throws Exception {
        var client = connect(token("assistant", Scope.READ));
        assertThat(client.listTools().tools()).isNotEmpty();

        clock.advance(Duration.ofMinutes(31));
        List<McpSchema.Tool> tools;
        try {
            tools = client.listTools().tools();
        } catch (RuntimeException first) {
            // The SDK reports the lost session once and opens a new one for the next request.
            tools = client.listTools().tools();
        }
        assertThat(tools).extracting(McpSchema.Tool::name).contains("list_tasks");
    }

    @Test
    void aTokenHoldsAtMostItsSessionsAndOpeningAnotherEndsTheLeastRecentlyUsed() throws Exception {
        var alice = token("alice", Scope.READ);
        var bob = token("bob", Scope.READ);
        var first = open(alice);
        clock.advance(Duration.ofSeconds(1));
        var second = open(alice);
        clock.advance(Duration.ofSeconds(1));
        var bobs = open(bob);
        clock.advance(Duration.ofSeconds(1));
        assertThat(listTools(alice, first)).isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));

        var third = open(alice);

        assertThat(listTools(alice, second)).as("the least recently used").isEqualTo(404);
        assertThat(listTools(alice, first)).isEqualTo(200);
        assertThat(listTools(alice, third)).isEqualTo(200);
        assertThat(listTools(bob, bobs)).as("another token's session").isEqualTo(200);
        assertThat(List.of(first, second, third, bobs)).doesNotHaveDuplicates();
        assertThat(heldByTheLibrary()).as("two of alice's, one of bob's").isEqualTo(3);
    }

    @Test
    void theBoundsAreSettingsAndABadOneIsAClearError() throws Exception {
        var file = dir.resolve("aios.yaml");
        java.nio.file.Files.writeString(file, "server:\n  mcp: {idle: 45m, sessionsPerToken: 3}\n");
        assertThat(AiosConfig.load(file).mcpSessions())
                .isEqualTo(new McpRoutes.SessionLimits(Duration.ofMinutes(45), 3));
        java.nio.file.Files.writeString(file, "server:\n  hosts: [aios.example.com]\n");
        assertThat(AiosConfig.load(file).mcpSessions()).isEqualTo(McpRoutes.SessionLimits.DEFAULTS);

        java.nio.file.Files.writeString(file, "server:\n  mcp: {idle: 0s}\n");
        assertThatThrownBy(() -> AiosConfig.load(file).mcpSessions())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("server.mcp.idle must be longer than zero, e.g. 30m");
        java.nio.file.Files.writeString(file, "server:\n  mcp: {sessionsPerToken: lots}\n");
        assertThatThrownBy(() -> AiosConfig.load(file).mcpSessions())
                .hasMessageContaining("server.mcp must be {idle: DURATION, sessionsPerToken: NUMBER}");
        java.nio.file.Files.writeString(file, "server:\n  mcp: {sessions: 3}\n");
        assertThatThrownBy(() -> AiosConfig.load(file).mcpSessions()).hasMessageContaining("unknown [sessions]");
        java.nio.file.Files.writeString(file, "server:\n  mcp: {sessionsPerToken: 0}\n");
        assertThatThrownBy(() -> AiosConfig.load(file).mcpSessions())
                .hasMessageContaining("server.mcp.sessionsPerToken must be at least 1");
    }
}
