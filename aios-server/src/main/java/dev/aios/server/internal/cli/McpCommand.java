package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.mcp.AiosCalls;
import dev.aios.server.internal.mcp.McpTools;
import dev.aios.server.internal.mcp.ToolFailure;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import picocli.CommandLine.Command;

/**
 * {@code aios mcp}: aios as an MCP server on standard input and output, for desktop assistants and
 * other MCP clients. Each tool is a call to the running aios server's API, with the caller's token
 * ({@code --token} or {@code AIOS_TOKEN}), so an assistant can do exactly what that token allows and
 * no more: a call its token does not allow is a tool error that names the scope it needs. The
 * tools and resources are those of {@link McpTools}; a server reached over HTTP serves the same at
 * {@code /mcp}.
 */
@Command(
        name = "mcp",
        description = "Serves aios to MCP clients (desktop assistants) on standard input and output: send events,"
                + " list and answer tasks, follow runs, search memory.")
final class McpCommand extends ClientCommand {
    @Override
    void run(ServerClient client) {
        var out = System.out;
        var transport = new StdioServerTransportProvider(McpTools.MAPPER, new McpWire(System.in, out).checked(), out);
        var server = McpTools.build(McpServer.sync(transport), new ApiCalls(client), McpTools.Gate.OPEN);
        try {
            new CountDownLatch(1).await(); // served until the client ends the process
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            server.closeGracefully();
        }
    }

    /** The tools' calls as requests to the server's API, with the token given to {@code aios mcp}. */
    private record ApiCalls(ServerClient client) implements AiosCalls {
        @Override
        public JsonNode sendEvent(ObjectNode event) {
            return call(() -> client.post("/api/events", event));
        }

        @Override
        public JsonNode tasks(boolean all) {
            return call(() -> client.get("/api/tasks", all ? Map.of("all", "true") : Map.of()));
        }

        @Override
        public JsonNode answer(String taskId, Answer answer, String comment, Optional<JsonNode> output) {
            var body = Json.mapper().createObjectNode();
            switch (answer) {
                case APPROVE -> {
                    body.put("comment", comment);
                    output.ifPresent(edit -> body.set("edit", edit));
                }
                case REJECT -> body.put("reason", comment);
                case SKIP -> {
                    body.put("comment", comment);
                    output.ifPresent(given -> body.set("output", given));
                }
                case RETRY, COMPENSATE -> body.put("comment", comment);
            }
            return call(() -> client.post("/api/tasks/" + ServerClient.segment(taskId) + "/" + answer.wire(), body));
        }

        @Override
        public JsonNode run(String runId) {
            return call(() -> client.get("/api/runs/" + ServerClient.segment(runId)));
        }

        @Override
        public JsonNode runs(int limit) {
            return call(() -> client.get("/api/runs", Map.of("limit", Integer.toString(limit))));
        }

        @Override
        public JsonNode playbooks() {
            return call(() -> client.get("/api/playbooks"));
        }

        @Override
        public JsonNode searchMemory(String query, Optional<String> subject, Optional<Integer> k) {
            var params = new LinkedHashMap<String, String>();
            params.put("q", query);
            subject.ifPresent(s -> params.put("subject", s));
            k.ifPresent(n -> params.put("k", Integer.toString(n)));
            return call(() -> client.get("/api/memory/search", params));
        }

        private static JsonNode call(Supplier<JsonNode> request) {
            try {
                return request.get();
            } catch (CliException e) {
                throw new ToolFailure(e.getMessage(), e.status() == 404);
            }
        }
    }
}
