package dev.aios.server.internal.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.AiosException;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.Scope;
import dev.aios.server.internal.Json;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * aios's MCP resources, all JSON and all needing {@code read}: {@code aios://playbooks} (the
 * playbooks and their versions), {@code aios://runs} (the latest runs), and the templates {@code
 * aios://runs/{id}} (a run's status, steps, outputs, errors and tasks) and {@code
 * aios://playbooks/{name}} (a playbook's description, trigger, steps and versions). A run or
 * playbook that does not exist is the JSON-RPC error {@value #NOT_FOUND} (MCP's "resource not
 * found") whose message says where to find the ones that do; a caller without {@code read} gets
 * {@value #FORBIDDEN}.
 */
final class McpResources {
    /** MCP's code for a resource that does not exist. */
    static final int NOT_FOUND = -32002;

    /** JSON-RPC's code for a call the caller may not make (in the range left to servers). */
    static final int FORBIDDEN = -32003;

    static final String RUNS = "aios://runs";
    static final String PLAYBOOKS = "aios://playbooks";

    /** How many runs {@code aios://runs} lists. */
    static final int LATEST_RUNS = 50;

    private McpResources() {}

    static List<McpServerFeatures.SyncResourceSpecification> resources(AiosCalls calls, McpTools.Gate gate) {
        return List.of(
                resource(gate, PLAYBOOKS, "playbooks", "The playbooks and their versions.", calls::playbooks),
                resource(
                        gate,
                        RUNS,
                        "runs",
                        "The latest " + LATEST_RUNS + " runs with their status.",
                        () -> calls.runs(LATEST_RUNS)));
    }

    static List<McpServerFeatures.SyncResourceTemplateSpecification> templates(AiosCalls calls, McpTools.Gate gate) {
        return List.of(
                template(
                        gate,
                        RUNS + "/{id}",
                        "run",
                        "A run: its status, steps with their inputs, outputs and errors, and its tasks. Run ids are"
                                + " listed at " + RUNS + ".",
                        id -> found(() -> calls.run(id), "no run '" + id + "': the latest runs are listed at " + RUNS)),
                template(
                        gate,
                        PLAYBOOKS + "/{name}",
                        "playbook",
                        "A playbook: what it does, the event that starts it, its steps, and its versions (the active one"
                                + " first). Names are listed at " + PLAYBOOKS + ".",
                        name -> playbook(calls.playbooks(), name)));
    }

    /** Playbook {@code name} out of the list of every loaded version. */
    static JsonNode playbook(JsonNode all, String name) {
        var answer = Json.mapper().createObjectNode().put("name", name);
        var versions = answer.putArray("versions");
        for (var version : all) {
            if (version.path("name").asText().equals(name)) {
                if (version.path("active").asBoolean()) {
                    versions.insert(0, version);
                } else {
                    versions.add(version);
                }
            }
        }
        if (versions.isEmpty()) {
            throw notFound("no playbook named '" + name + "': the playbooks are listed at " + PLAYBOOKS);
        }
        var current = versions.get(0);
        for (var field : List.of("version", "description", "trigger", "when", "source", "steps")) {
            if (current.has(field)) {
                answer.set(field, current.get(field));
            }
        }
        return answer;
    }

    private static JsonNode found(Supplier<JsonNode> read, String missing) {
        try {
            return read.get();
        } catch (NotFoundException e) {
            throw notFound(missing);
        } catch (ToolFailure e) {
            // Over standard input and output, the API's answer 404.
            throw e.missing() ? notFound(missing) : e;
        }
    }

    private static McpServerFeatures.SyncResourceSpecification resource(
            McpTools.Gate gate, String uri, String name, String description, Supplier<JsonNode> read) {
        return new McpServerFeatures.SyncResourceSpecification(
                McpSchema.Resource.builder(uri, name)
                        .description(description)
                        .mimeType("application/json")
                        .build(),
                (exchange, request) -> answer(exchange, gate, request.uri(), read));
    }

    private static McpServerFeatures.SyncResourceTemplateSpecification template(
            McpTools.Gate gate, String uriTemplate, String name, String description, Function<String, JsonNode> read) {
        var prefix = uriTemplate.substring(0, uriTemplate.indexOf('{'));
        return new McpServerFeatures.SyncResourceTemplateSpecification(
                McpSchema.ResourceTemplate.builder()
                        .uriTemplate(uriTemplate)
                        .name(name)
                        .description(description)
                        .mimeType("application/json")
                        .build(),
                (exchange, request) -> {
                    var uri = request.uri();
                    var value = uri.startsWith(prefix) ? uri.substring(prefix.length()) : "";
                    if (value.isEmpty() || value.contains("/")) {
                        throw notFound("no resource " + uri + ": use " + uriTemplate);
                    }
                    var decoded = URLDecoder.decode(value, StandardCharsets.UTF_8);
                    return answer(exchange, gate, uri, () -> read.apply(decoded));
                });
    }

    private static McpSchema.ReadResourceResult answer(
            McpSyncServerExchange exchange, McpTools.Gate gate, String uri, Supplier<JsonNode> read) {
        try {
            gate.check(exchange.transportContext(), uri, Scope.READ);
        } catch (ToolFailure e) {
            throw McpError.builder(FORBIDDEN).message(e.getMessage()).build();
        }
        JsonNode json;
        try {
            json = read.get();
        } catch (ToolFailure | AiosException | IllegalArgumentException e) {
            throw McpError.builder(McpSchema.ErrorCodes.INTERNAL_ERROR)
                    .message(e.getMessage())
                    .build();
        }
        return McpSchema.ReadResourceResult.builder(List.of(McpSchema.TextResourceContents.builder(uri, pretty(json))
                        .mimeType("application/json")
                        .build()))
                .build();
    }

    private static McpError notFound(String message) {
        return McpError.builder(NOT_FOUND).message(message).build();
    }

    static String pretty(JsonNode json) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
