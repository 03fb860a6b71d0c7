package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Event;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.Scope;
import dev.aios.server.internal.mcp.McpTools;
import dev.aios.testing.Poll;
import dev.aios.testing.ServerProcess;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resources for runs and playbooks over {@code aios mcp} (a real process on standard input and
 * output, started by the MCP Java SDK's own stdio client as a desktop assistant starts it), read
 * through the running server's API with the assistant's token.
 */
class McpStdioResourcesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Kernel kernel;
    ApiServer api;
    final List<McpSyncClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .agent(new EchoPlaybook.Echo())
                .playbook(EchoPlaybook.playbook())
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        api = ApiServer.start(kernel, 0);
    }

    @AfterEach
    void stop() {
        clients.forEach(McpSyncClient::closeGracefully);
        api.close();
        kernel.close();
    }

    McpSyncClient connect(Scope... scopes) {
        var token = kernel.tokens()
                .create("assistant-" + clients.size(), EnumSet.copyOf(List.of(scopes)), Optional.empty())
                .secret();
        var java = ProcessHandle.current().info().command().orElse("java");
        var parameters = ServerParameters.builder(java)
                .args(
                        "-cp",
                        System.getProperty("java.class.path"),
                        ServerProcess.AIOS_MAIN,
                        "mcp",
                        "--server",
                        "http://127.0.0.1:" + api.port())
                .addEnvVar("AIOS_TOKEN", token)
                .build();
        var client = McpClient.sync(new StdioClientTransport(parameters, McpTools.MAPPER))
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(120))
                .build();
        clients.add(client);
        client.initialize();
        return client;
    }

    static JsonNode read(McpSyncClient client, String uri) throws Exception {
        var result =
                client.readResource(McpSchema.ReadResourceRequest.builder(uri).build());
        return JSON.readTree(((McpSchema.TextResourceContents) result.contents().getFirst()).text());
    }

    @Test
    void anAssistantReadsARunAndAPlaybookAndAnUnknownOneIsAClearError() throws Exception {
        var runId = kernel.send(new Event(
                        "ping-1",
                        EchoPlaybook.TRIGGER,
                        "acme",
                        "test",
                        Instant.now(),
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
        var reader = connect(Scope.READ);

        assertThat(reader.listResources().resources())
                .extracting(McpSchema.Resource::uri)
                .containsExactlyInAnyOrder("aios://runs", "aios://playbooks");
        assertThat(reader.listResourceTemplates().resourceTemplates())
                .extracting(McpSchema.ResourceTemplate::uriTemplate)
                .containsExactlyInAnyOrder("aios://runs/{id}", "aios://playbooks/{name}");
        var run = read(reader, "aios://runs/" + runId);
        assertThat(run.path("status").asText()).isEqualTo("waiting");
        assertThat(run.path("context").path("say").toString()).contains("hello");
        assertThat(run.path("tasks").get(0).path("status").asText()).isEqualTo("open");
        var playbook = read(reader, "aios://playbooks/" + EchoPlaybook.NAME);
        assertThat(playbook.path("description").asText()).isEqualTo("Echoes the ping's text, then asks the operator");
        assertThat(playbook.path("trigger").asText()).isEqualTo(EchoPlaybook.TRIGGER);

        assertThatThrownBy(() -> read(reader, "aios://runs/r-nothing"))
                .isInstanceOfSatisfying(
                        McpError.class,
                        e -> assertThat(e.getJsonRpcError().code()).isEqualTo(-32002))
                .hasMessageContaining("no run 'r-nothing'");
        assertThatThrownBy(() -> read(reader, "aios://playbooks/no-such-playbook"))
                .isInstanceOfSatisfying(
                        McpError.class,
                        e -> assertThat(e.getJsonRpcError().code()).isEqualTo(-32002))
                .hasMessageContaining("no playbook named 'no-such-playbook'");
    }

    @Test
    void anAssistantWhoseTokenCannotReadIsToldWhichScopeItNeeds() {
        var sender = connect(Scope.INGEST);

        assertThatThrownBy(() -> read(sender, "aios://runs"))
                .isInstanceOf(McpError.class)
                .hasMessageContaining("read");
    }
}
