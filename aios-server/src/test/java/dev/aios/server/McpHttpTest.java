package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.MemoryKind;
import dev.aios.api.Remember;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.Scope;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.server.internal.http.McpRoutes;
import dev.aios.testing.Poll;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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
 * aios as an MCP server over streamable HTTP at {@code /mcp}, reached by the MCP Java SDK's own
 * client over real HTTP with aios API tokens: each token sees and calls the tools its scopes allow,
 * a session belongs to the token that opened it, and requests without a token or from another site
 * change nothing.
 */
class McpHttpTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String INITIALIZE = """
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
             "capabilities": {}, "clientInfo": {"name": "curl", "version": "1"}}}
            """;

    @TempDir
    Path dir;

    Kernel kernel;
    MemoryExtension memory;
    ApiServer server;
    String url;
    final List<McpSyncClient> clients = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        memory = MemoryExtension.of(MemorySettings.defaults());
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(memory)
                .agent(new EchoPlaybook.Echo())
                .playbook(EchoPlaybook.playbook())
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        server = ApiServer.start(kernel, "127.0.0.1", 0, new McpRoutes(kernel, memory, InstantSource.system()));
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        clients.forEach(McpSyncClient::close);
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

    static List<String> toolNames(McpSyncClient client) {
        return client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
    }

    static JsonNode text(McpSchema.CallToolResult result) throws Exception {
        assertThat(result.isError()).as(result.toString()).isFalse();
        return JSON.readTree(((McpSchema.TextContent) result.content().get(0)).text());
    }

    static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> arguments) {
        return client.callTool(
                McpSchema.CallToolRequest.builder(tool).arguments(arguments).build());
    }

    HttpResponse<String> post(String body, Map<String, String> headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url + "/mcp"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The status line's code of {@code request} sent as it is, Host header included. */
    int rawStatus(String request) throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            var status = new java.io.BufferedReader(new java.io.InputStreamReader(
                            socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))
                    .readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    void anAssistantOverHttpSendsAnEventFollowsTheRunAndApprovesItsTask() throws Exception {
        var assistant = connect(token("assistant", Scope.INGEST, Scope.OPERATE));
        assertThat(assistant.getServerInfo().name()).isEqualTo("aios");
        assertThat(toolNames(assistant))
                .containsExactlyInAnyOrder("send_event", "list_tasks", "answer_task", "run_status", "search_memory");

        var sent = text(call(
                assistant,
                "send_event",
                Map.of("type", "test.ping", "id", "ping-1", "subject", "acme", "data", Map.of("text", "hi"))));
        var runId = sent.path("started").get(0).asText();
        Poll.until(
                "a task of run " + runId,
                () -> kernel.run(runId),
                run -> !run.tasks().isEmpty(),
                Duration.ofSeconds(30));
        var tasks = text(call(assistant, "list_tasks", Map.of()));
        assertThat(tasks).hasSize(1);
        text(call(
                assistant,
                "answer_task",
                Map.of("taskId", tasks.get(0).path("id").asText(), "answer", "approve", "comment", "fine")));
        var run = Poll.until(
                "run " + runId + " to end",
                () -> kernel.run(runId),
                r -> r.status().isFinal(),
                Duration.ofSeconds(30));
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(text(call(assistant, "run_status", Map.of("runId", runId)))
                        .path("status")
                        .asText())
                .isEqualTo("completed");
        assertThat(text(call(assistant, "send_event", Map.of("type", "test.ping", "id", "ping-1")))
                        .path("duplicate")
                        .asBoolean())
                .as("the same id again starts nothing")
                .isTrue();

        memory.memory().remember(Remember.of(MemoryKind.NOTE, "acme", "Acme wants the logo in dark green, not blue."));
        var found = text(call(assistant, "search_memory", Map.of("query", "logo colour", "subject", "acme")));
        assertThat(found.path("items").toString()).contains("dark green");

        var playbooks = assistant.readResource(
                McpSchema.ReadResourceRequest.builder("aios://playbooks").build());
        assertThat(((McpSchema.TextResourceContents) playbooks.contents().get(0)).text())
                .contains(EchoPlaybook.NAME);
    }

    @Test
    void eachTokenSeesTheToolsItsScopesAllowAndCallingAnotherIsRefused() throws Exception {
        var reader = connect(token("reader", Scope.READ));
        assertThat(toolNames(reader)).containsExactlyInAnyOrder("list_tasks", "run_status", "search_memory");
        var sender = connect(token("sender", Scope.INGEST));
        assertThat(toolNames(sender)).containsExactly("send_event");
        var admin = connect(token("boss", Scope.ADMIN));
        assertThat(toolNames(admin)).hasSize(5);

        assertThatThrownBy(() -> call(reader, "send_event", Map.of("type", "test.ping", "id", "from-a-reader")))
                .hasMessageContaining("reader")
                .hasMessageContaining("needs ingest");
        assertThat(kernel.runs(RunQuery.all())).isEmpty();

        // The same refusal as a plain HTTP client sees it: a JSON-RPC error.
        var readerToken = token("reader-2", Scope.READ);
        var opened = post(INITIALIZE, Map.of("Authorization", "Bearer " + readerToken));
        assertThat(opened.statusCode()).isEqualTo(200);
        var session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();
        var refused = post("""
                {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                 "params": {"name": "answer_task", "arguments": {"taskId": "t-1", "answer": "approve"}}}
                """, Map.of("Authorization", "Bearer " + readerToken, "Mcp-Session-Id", session));
        var error = JSON.readTree(refused.body());
        assertThat(error.path("id").asInt()).isEqualTo(7);
        assertThat(error.path("error").path("code").asInt()).isEqualTo(-32003);
        assertThat(error.path("error").path("message").asText()).contains("that needs operate", "nothing changed");
    }

    @Test
    void aSessionBelongsToTheTokenThatOpenedIt() throws Exception {
        var alice = token("alice", Scope.OPERATE);
        var mallory = token("mallory", Scope.OPERATE);
        var opened = post(INITIALIZE, Map.of("Authorization", "Bearer " + alice));
        var session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();
        var list = """
                {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}}
                """;
        var own = post(list, Map.of("Authorization", "Bearer " + alice, "Mcp-Session-Id", session));
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(own.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(own.body()).contains("event: message", "list_tasks");

        var stolen = post(list, Map.of("Authorization", "Bearer " + mallory, "Mcp-Session-Id", session));
        assertThat(stolen.statusCode()).isEqualTo(404);
        assertThat(stolen.body()).doesNotContain("list_tasks");

        var ended = http.send(
                HttpRequest.newBuilder(URI.create(url + "/mcp"))
                        .header("Authorization", "Bearer " + alice)
                        .header("Mcp-Session-Id", session)
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ended.statusCode()).isEqualTo(200);
        assertThat(post(list, Map.of("Authorization", "Bearer " + alice, "Mcp-Session-Id", session))
                        .statusCode())
                .as("an ended session")
                .isEqualTo(404);
    }

    @Test
    void withoutATokenOrFromAnotherSiteNothingHappens() throws Exception {
        var none = post(INITIALIZE, Map.of());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"aios\"");
        assertThat(post(INITIALIZE, Map.of("Authorization", "Bearer aios_not-a-token"))
                        .statusCode())
                .isEqualTo(401);

        var admin = token("boss", Scope.ADMIN);
        var crossSite = post(INITIALIZE, Map.of("Authorization", "Bearer " + admin, "Origin", "https://evil.example"));
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(crossSite.body()).contains("cross-site");
        assertThat(rawStatus("POST /mcp HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer " + admin
                        + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"))
                .as("a foreign host name, as DNS rebinding sends it")
                .isEqualTo(421);

        var garbage = post("%%% not json", Map.of("Authorization", "Bearer " + admin));
        assertThat(garbage.statusCode()).isEqualTo(400);
        var listen = http.send(
                HttpRequest.newBuilder(URI.create(url + "/mcp"))
                        .header("Authorization", "Bearer " + admin)
                        .header("Accept", "text/event-stream")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(listen.statusCode()).isEqualTo(405);
        assertThat(kernel.runs(RunQuery.all())).isEmpty();
    }
}
