package dev.aios.connectors.internal.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.aios.api.AgentContext;
import dev.aios.api.JsonAgent;
import dev.aios.api.JsonContract;
import dev.aios.api.PermanentFailure;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code mcp} agent: calls one tool of a declared MCP server as an effect ({@code
 * mcp/SERVER:TOOL}), so each server has its own breaker and rate limit and a step that runs again
 * gets the recorded answer instead of calling twice. The arguments are checked against the tool's
 * own input schema before anything is sent.
 *
 * <p>Answers: the tool's text (all text parts joined), its content parts and its structured
 * content. A tool that reports an error fails the step without retrying; a server that dies,
 * times out or answers something that is not MCP is retried (started afresh) and, after the last
 * attempt, the step waits in the inbox.
 */
public final class McpAgent implements JsonAgent {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private static final JsonContract CONTRACT = new JsonContract(
            "mcp",
            "1.0.0",
            "Calls one tool of an MCP server declared under mcp: in aios.yaml.",
            schema("""
                    {"type": "object",
                     "properties": {
                       "server": {"type": "string", "minLength": 1},
                       "tool": {"type": "string", "minLength": 1},
                       "arguments": {"type": "object"}},
                     "required": ["server", "tool"],
                     "additionalProperties": false}
                    """),
            schema("""
                    {"type": "object",
                     "properties": {
                       "text": {"type": "string"},
                       "content": {"type": "array"},
                       "structured": {}},
                     "required": ["text", "content"]}
                    """),
            List.of(),
            Set.of("mcp"),
            Duration.ofMinutes(5));

    private final McpConnections connections;

    public McpAgent(McpConnections connections) {
        this.connections = connections;
    }

    @Override
    public JsonContract contract() {
        return CONTRACT;
    }

    @Override
    public JsonNode run(JsonNode input, AgentContext context) throws Exception {
        var server = input.path("server").asText();
        var tool = input.path("tool").asText();
        var arguments = input.path("arguments").isObject() ? input.get("arguments") : JSON.createObjectNode();
        McpConnections.Connection connection;
        try {
            connection = connections.connection(server);
        } catch (McpConnections.McpFailure e) {
            throw e.retryable ? new IOException(e.getMessage(), e) : new PermanentFailure(e.getMessage(), e);
        }
        var declared = connection.tools().get(tool);
        if (declared == null) {
            throw new PermanentFailure("MCP server '" + server + "' has no tool '" + tool + "'; its tools are "
                    + String.join(", ", connection.tools().keySet()));
        }
        checkArguments(server, declared, arguments);
        var effect = "mcp/" + server + ":" + tool.replaceAll("[^A-Za-z0-9._-]", "-");
        return context.effect(effect, JsonNode.class, key -> call(server, connection, tool, arguments));
    }

    private JsonNode call(String server, McpConnections.Connection connection, String tool, JsonNode arguments)
            throws IOException {
        McpSchema.CallToolResult result;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> args = JSON.convertValue(arguments, Map.class);
            result = connection.client().callTool(new McpSchema.CallToolRequest(tool, args));
        } catch (RuntimeException e) {
            connections.drop(server, connection);
            throw new IOException(
                    "MCP server '" + server + "' failed during " + tool + ": " + McpConnections.describe(e)
                            + "; it is started afresh on the next attempt",
                    e);
        }
        if (result == null) {
            connections.drop(server, connection);
            throw new IOException("MCP server '" + server + "' gave no answer to " + tool);
        }
        var content = JSON.createArrayNode();
        var text = new StringBuilder();
        if (result.content() != null) {
            for (var part : result.content()) {
                content.add(JSON.valueToTree(part));
                if (part instanceof McpSchema.TextContent t && t.text() != null) {
                    text.append(text.isEmpty() ? "" : "\n").append(t.text());
                }
            }
        }
        if (Boolean.TRUE.equals(result.isError())) {
            throw new PermanentFailure("tool " + tool + " of MCP server '" + server + "' reported an error: "
                    + (text.isEmpty() ? "(no text)" : text) + "; fix the arguments or the server, then retry");
        }
        var output = JSON.createObjectNode();
        output.put("text", text.toString());
        output.set("content", content);
        if (result.structuredContent() != null) {
            output.set("structured", JSON.valueToTree(result.structuredContent()));
        }
        return output;
    }

    private static void checkArguments(String server, McpSchema.Tool tool, JsonNode arguments) {
        if (tool.inputSchema() == null) {
            return;
        }
        var schemaNode = JSON.valueToTree(tool.inputSchema());
        com.networknt.schema.Schema schema;
        try {
            schema = SCHEMAS.getSchema(schemaNode);
        } catch (RuntimeException e) {
            return; // a schema we cannot read is the server's to enforce
        }
        var errors = schema.validate(arguments);
        if (!errors.isEmpty()) {
            throw new PermanentFailure("the arguments do not match the input schema of tool " + tool.name()
                    + " of MCP server '" + server + "': "
                    + errors.stream().limit(5).map(Object::toString).collect(Collectors.joining("; ")));
        }
    }

    private static JsonNode schema(String json) {
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
