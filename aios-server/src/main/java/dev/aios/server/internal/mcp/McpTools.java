package dev.aios.server.internal.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.AiosException;
import dev.aios.kernel.Scope;
import dev.aios.server.internal.Json;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * aios as MCP tools and resources, the same over standard input and output ({@code aios mcp}) and
 * over streamable HTTP ({@code /mcp}). Tools: {@code send_event} (needs {@code ingest}), {@code
 * list_tasks}, {@code run_status}, {@code search_memory} (need {@code read}), {@code answer_task}
 * (needs {@code operate}). The resources (playbooks and runs, see {@link McpResources}) need {@code
 * read}.
 */
public final class McpTools {
    /** The JSON mapper the MCP library reads and writes with. */
    public static final JacksonMcpJsonMapper MAPPER = new JacksonMcpJsonMapper(Json.mapper());

    /** The scope each tool needs. */
    private static final Map<String, Scope> NEEDS = Map.of(
            "send_event", Scope.INGEST,
            "list_tasks", Scope.READ,
            "answer_task", Scope.OPERATE,
            "run_status", Scope.READ,
            "search_memory", Scope.READ);

    private McpTools() {}

    /**
     * Decides whether the caller of a request may use a tool or resource.
     *
     * <p>The stdio server lets every call through, since the API it calls checks the token; the
     * HTTP endpoint checks the caller it authenticated.
     */
    @FunctionalInterface
    public interface Gate {
        /** Lets every call through. */
        Gate OPEN = (context, name, needed) -> {};

        /**
         * @throws ToolFailure naming the scope {@code needed} when the caller lacks it
         */
        void check(McpTransportContext context, String name, Scope needed);
    }

    /** The scope tool {@code name} needs, if it is one of aios's tools. */
    public static Optional<Scope> needs(String name) {
        return Optional.ofNullable(NEEDS.get(name));
    }

    /** The server's name, instructions, capabilities, tools and resources on {@code spec}. */
    public static <S extends McpServer.SyncSpecification<S>> McpSyncServer build(
            McpServer.SyncSpecification<S> spec, AiosCalls calls, Gate gate) {
        return spec.serverInfo("aios", "1")
                .jsonMapper(MAPPER)
                .instructions("aios runs the operator's business processes. Send events to start playbooks,"
                        + " answer the operator's tasks (approvals, dead letters), and follow runs.")
                .capabilities(McpSchema.ServerCapabilities.builder()
                        .tools(false)
                        .resources(false, false)
                        .build())
                .tools(tools(calls, gate))
                .resources(McpResources.resources(calls, gate))
                .resourceTemplates(McpResources.templates(calls, gate))
                .build();
    }

    static List<McpServerFeatures.SyncToolSpecification> tools(AiosCalls calls, Gate gate) {
        return List.of(
                tool(
                        gate,
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
                            for (var field : List.of("subject", "id")) {
                                if (args.hasNonNull(field)) {
                                    body.put(field, args.path(field).asText());
                                }
                            }
                            body.put("source", "mcp");
                            if (args.path("data").isObject()) {
                                body.set("data", args.get("data"));
                            }
                            return calls.sendEvent(body);
                        }),
                tool(
                        gate,
                        "list_tasks",
                        "Lists the operator's open tasks (approvals, reviews, dead-lettered steps); all: true includes"
                                + " answered ones.",
                        """
                        {"type": "object", "properties": {"all": {"type": "boolean"}}}
                        """,
                        args -> calls.tasks(args.path("all").asBoolean(false))),
                tool(
                        gate,
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
                        args -> calls.answer(
                                args.path("taskId").asText(),
                                AiosCalls.Answer.fromWire(args.path("answer").asText()),
                                args.path("comment").asText(""),
                                args.path("output").isObject() ? Optional.of(args.get("output")) : Optional.empty())),
                tool(
                        gate,
                        "run_status",
                        "Shows a run: its status, steps, outputs, errors and open tasks.",
                        """
                        {"type": "object", "properties": {"runId": {"type": "string"}}, "required": ["runId"]}
                        """,
                        args -> calls.run(args.path("runId").asText())),
                tool(
                        gate,
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
                        args -> calls.searchMemory(
                                args.path("query").asText(),
                                Optional.ofNullable(args.get("subject"))
                                        .filter(JsonNode::isTextual)
                                        .map(JsonNode::asText),
                                Optional.ofNullable(args.get("k"))
                                        .filter(JsonNode::canConvertToInt)
                                        .map(JsonNode::asInt))));
    }

    private static McpServerFeatures.SyncToolSpecification tool(
            Gate gate, String name, String description, String schema, Function<JsonNode, JsonNode> call) {
        var needed = NEEDS.get(name);
        return McpServerFeatures.SyncToolSpecification.builder()
                .tool(McpSchema.Tool.builder(name, MAPPER, schema)
                        .description(description)
                        .build())
                .callHandler((exchange, request) -> {
                    var args = Json.mapper().valueToTree(request.arguments() == null ? Map.of() : request.arguments());
                    try {
                        gate.check(exchange.transportContext(), name, needed);
                        return McpSchema.CallToolResult.builder()
                                .addTextContent(McpResources.pretty(call.apply(args)))
                                .isError(false)
                                .build();
                    } catch (ToolFailure
                            | AiosException
                            | IllegalArgumentException
                            | dev.aios.memory.MemoryRebuildingException e) {
                        return McpSchema.CallToolResult.builder()
                                .addTextContent(e.getMessage())
                                .isError(true)
                                .build();
                    }
                })
                .build();
    }
}
