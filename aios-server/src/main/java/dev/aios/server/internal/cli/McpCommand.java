package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.server.internal.Json;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import picocli.CommandLine.Command;

/**
 * {@code aios mcp}: aios as an MCP server on standard input and output, for desktop assistants and
 * other MCP clients. Each tool is a call to the running aios server's API, with the caller's token
 * ({@code --token} or {@code AIOS_TOKEN}), so an assistant can do exactly what that token allows and
 * no more: a call its token does not allow is a tool error that names the scope it needs.
 *
 * <p>Tools: {@code send_event}, {@code list_tasks}, {@code answer_task}, {@code run_status},
 * {@code search_memory}. Resources: {@code aios://playbooks} and {@code aios://runs}.
 */
@Command(
        name = "mcp",
        description = "Serves aios to MCP clients (desktop assistants) on standard input and output: send events,"
                + " list and answer tasks, follow runs, search memory.")
final class McpCommand extends ClientCommand {
    private static final JacksonMcpJsonMapper MAPPER = new JacksonMcpJsonMapper(Json.mapper());

    @Override
    void run(ServerClient client) {
        var out = System.out;
        var transport = new StdioServerTransportProvider(MAPPER, new McpWire(System.in, out).checked(), out);
        var server = McpServer.sync(transport)
                .serverInfo("aios", "1")
                .jsonMapper(MAPPER)
                .instructions("aios runs the operator's business processes. Send events to start playbooks,"
                        + " answer the operator's tasks (approvals, dead letters), and follow runs.")
                .capabilities(McpSchema.ServerCapabilities.builder()
                        .tools(false)
                        .resources(false, false)
                        .build())
                .tools(tools(client))
                .resources(resources(client))
                .build();
        try {
            new CountDownLatch(1).await(); // served until the client ends the process
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            server.closeGracefully();
        }
    }

    static List<McpServerFeatures.SyncToolSpecification> tools(ServerClient client) {
        return List.of(
                tool(
                        "send_event",
                        "Sends a business event to aios (e.g. lead.received); matching playbooks start. A repeated id"
                                + " starts nothing new.",
                        """
                        {"type": "object",
                         "properties": {
                           "type": {"type": "string", "description": "dotted lower-case, e.g. lead.received"},
                           "subject": {"type": "string", "description": "the customer or project it is about"},
                           "id": {"type": "string", "description": "a unique id; repeating it starts nothing new"},
                           "data": {"type": "object"}},
                         "required": ["type"]}
                        """,
                        args -> {
                            var body = Json.mapper().createObjectNode();
                            body.put("type", args.path("type").asText());
                            copy(args, body, "subject", "id");
                            body.put("source", "mcp");
                            if (args.path("data").isObject()) {
                                body.set("data", args.get("data"));
                            }
                            return client.post("/api/events", body);
                        }),
                tool(
                        "list_tasks",
                        "Lists the operator's open tasks (approvals, reviews, dead-lettered steps); all: true includes"
                                + " answered ones.",
                        """
                        {"type": "object", "properties": {"all": {"type": "boolean"}}}
                        """,
                        args -> client.get(
                                "/api/tasks", args.path("all").asBoolean(false) ? Map.of("all", "true") : Map.of())),
                tool(
                        "answer_task",
                        "Answers a task: approve (optionally with an edited output), reject, retry, skip (with an"
                                + " output) or compensate.",
                        """
                        {"type": "object",
                         "properties": {
                           "taskId": {"type": "string"},
                           "answer": {"enum": ["approve", "reject", "retry", "skip", "compensate"]},
                           "comment": {"type": "string"},
                           "output": {"type": "object",
                                      "description": "the edited output (approve) or the output to use (skip)"}},
                         "required": ["taskId", "answer"]}
                        """,
                        args -> answer(client, args)),
                tool(
                        "run_status",
                        "Shows a run: its status, steps, outputs, errors and open tasks.",
                        """
                        {"type": "object", "properties": {"runId": {"type": "string"}}, "required": ["runId"]}
                        """,
                        args -> client.get("/api/runs/"
                                + ServerClient.segment(args.path("runId").asText()))),
                tool(
                        "search_memory",
                        "Searches aios's memory (documents, events, knowledge) by meaning and words.",
                        """
                        {"type": "object",
                         "properties": {
                           "query": {"type": "string"},
                           "subject": {"type": "string"},
                           "k": {"type": "integer", "minimum": 1, "maximum": 50}},
                         "required": ["query"]}
                        """,
                        args -> {
                            var query = new LinkedHashMap<String, String>();
                            query.put("q", args.path("query").asText());
                            if (args.hasNonNull("subject")) {
                                query.put("subject", args.path("subject").asText());
                            }
                            if (args.hasNonNull("k")) {
                                query.put("k", args.path("k").asText());
                            }
                            return client.get("/api/memory/search", query);
                        }));
    }

    private static JsonNode answer(ServerClient client, JsonNode args) {
        var task = "/api/tasks/" + ServerClient.segment(args.path("taskId").asText()) + "/";
        var answer = args.path("answer").asText();
        var body = Json.mapper().createObjectNode();
        var comment = args.path("comment").asText("");
        switch (answer) {
            case "approve" -> {
                body.put("comment", comment);
                if (args.path("output").isObject()) {
                    body.set("edit", args.get("output"));
                }
            }
            case "reject" -> body.put("reason", comment);
            case "skip" -> {
                body.put("comment", comment);
                if (args.path("output").isObject()) {
                    body.set("output", args.get("output"));
                }
            }
            case "retry", "compensate" -> body.put("comment", comment);
            default ->
                throw new CliException(
                        CliException.USAGE,
                        "answer must be approve, reject, retry, skip or compensate, was '" + answer + "'");
        }
        return client.post(task + answer, body);
    }

    static List<McpServerFeatures.SyncResourceSpecification> resources(ServerClient client) {
        return List.of(
                resource(
                        "aios://playbooks",
                        "playbooks",
                        "The active playbooks and their versions.",
                        () -> client.get("/api/playbooks")),
                resource(
                        "aios://runs",
                        "runs",
                        "The latest runs with their status.",
                        () -> client.get("/api/runs", Map.of("limit", "50"))));
    }

    private static McpServerFeatures.SyncToolSpecification tool(
            String name, String description, String schema, Function<JsonNode, JsonNode> call) {
        return McpServerFeatures.SyncToolSpecification.builder()
                .tool(McpSchema.Tool.builder()
                        .name(name)
                        .description(description)
                        .inputSchema(MAPPER, schema)
                        .build())
                .callHandler((exchange, request) -> {
                    var args = Json.mapper().valueToTree(request.arguments() == null ? Map.of() : request.arguments());
                    try {
                        return McpSchema.CallToolResult.builder()
                                .addTextContent(pretty(call.apply(args)))
                                .isError(false)
                                .build();
                    } catch (CliException | IllegalArgumentException e) {
                        return McpSchema.CallToolResult.builder()
                                .addTextContent(e.getMessage())
                                .isError(true)
                                .build();
                    }
                })
                .build();
    }

    private static McpServerFeatures.SyncResourceSpecification resource(
            String uri, String name, String description, java.util.function.Supplier<JsonNode> read) {
        return new McpServerFeatures.SyncResourceSpecification(
                McpSchema.Resource.builder()
                        .uri(uri)
                        .name(name)
                        .description(description)
                        .mimeType("application/json")
                        .build(),
                (exchange, request) -> new McpSchema.ReadResourceResult(
                        List.of(new McpSchema.TextResourceContents(uri, "application/json", pretty(read.get())))));
    }

    private static void copy(JsonNode from, ObjectNode to, String... fields) {
        for (var field : fields) {
            if (from.hasNonNull(field)) {
                to.put(field, from.path(field).asText());
            }
        }
    }

    private static String pretty(JsonNode json) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
