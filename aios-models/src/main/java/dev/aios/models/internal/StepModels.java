package dev.aios.models.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.ModelReply;
import dev.aios.api.ModelRequest;
import dev.aios.api.ModelTool;
import dev.aios.api.ModelUnavailable;
import dev.aios.api.Models;
import dev.aios.kernel.spi.StepScope;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The model gateway as one step attempt sees it: it knows the run, step, agent and playbook to charge,
 * and numbers the step's calls so that an earlier attempt's answered calls are not budgeted twice.
 */
final class StepModels implements Models {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ModelGateway gateway;
    private final StepScope scope;
    private int calls;
    private JsonNode input = JSON.objectNode();

    StepModels(ModelGateway gateway, StepScope scope) {
        this.gateway = gateway;
        this.scope = scope;
    }

    /** The step's input, whose personal fields the privacy rules redact; set by prompt agents. */
    void about(JsonNode input) {
        this.input = input;
    }

    @Override
    public boolean available(String modelClass) {
        return gateway.providers.route(modelClass).isPresent();
    }

    @Override
    public ModelReply complete(ModelRequest request) {
        var route = gateway.providers.route(request.modelClass()).orElseThrow(() -> unavailable(request.modelClass()));
        ArrayNode messages = JSON.arrayNode();
        if (!request.system().isBlank()) {
            messages.addObject().put("role", "system").put("text", request.system());
        }
        messages.addObject().put("role", "user").put("text", request.prompt());
        long inputTokens = 0;
        long outputTokens = 0;
        BigDecimal cost = BigDecimal.ZERO;
        boolean allCached = true;
        for (int round = 1; round <= gateway.settings.toolRounds(); round++) {
            var exchange = new Exchange(gateway, scope, ++calls, route, request, messages, input).run();
            var completion = exchange.path("completion");
            inputTokens += exchange.path("usage").path("inputTokens").asLong();
            outputTokens += exchange.path("usage").path("outputTokens").asLong();
            cost = cost.add(new BigDecimal(exchange.path("costUsd").asText("0")));
            allCached &= exchange.path("cached").asBoolean();
            scope.note("model", summary(exchange));
            var toolCalls = completion.path("toolCalls");
            String text = completion.path("text").asText("");
            if (toolCalls.isEmpty()) {
                Optional<JsonNode> json = request.outputSchema().map(schema -> parsed(text));
                return new ModelReply(
                        text, json, route.provider(), route.model(), inputTokens, outputTokens, cost, allCached, round);
            }
            var assistant = messages.addObject().put("role", "assistant").put("text", text);
            assistant.set("toolCalls", toolCalls.deepCopy());
            for (JsonNode call : toolCalls) {
                messages.addObject()
                        .put("role", "tool")
                        .put("id", call.path("id").asText())
                        .put("name", call.path("name").asText())
                        .put("text", runTool(request.tools(), call));
            }
        }
        throw new IllegalStateException(route + " was still calling tools after " + gateway.settings.toolRounds()
                + " calls; the step is retried. If the task needs more, raise models.toolRounds in aios.yaml");
    }

    /** Calls the agent a tool call names; what goes wrong with the call itself is told to the model. */
    private String runTool(List<ModelTool> tools, JsonNode call) {
        String name = call.path("name").asText();
        var tool = tools.stream().filter(t -> t.agent().equals(name)).findFirst();
        if (tool.isEmpty()) {
            return "error: there is no tool named '" + name + "'; the tools are "
                    + tools.stream().map(ModelTool::agent).toList();
        }
        JsonNode arguments;
        try {
            arguments = SchemaCheck.parse(call.path("arguments").asText("{}"));
        } catch (IOException e) {
            return "error: the arguments are not JSON: " + e.getMessage();
        }
        var problems = new SchemaCheck(tool.get().inputSchema()).problems(arguments.toString());
        if (!problems.isEmpty()) {
            return "error: the arguments do not match the tool's input schema: " + String.join("; ", problems);
        }
        try {
            return scope.context().call(name, arguments).toString();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("tool '" + name + "' failed: " + e.getMessage(), e);
        }
    }

    private static JsonNode parsed(String text) {
        try {
            return SchemaCheck.parse(text);
        } catch (IOException e) {
            throw new IllegalStateException("a validated answer could not be read again: " + e.getMessage(), e);
        }
    }

    private ModelUnavailable unavailable(String modelClass) {
        if (!gateway.providers.any()) {
            return new ModelUnavailable("no model provider is configured, so model class '" + modelClass
                    + "' cannot be called; set OPENAI_API_KEY (or OPENAI_BASE_URL for Ollama, vLLM, llama.cpp,"
                    + " LM Studio) or ANTHROPIC_API_KEY, or add models.providers to aios.yaml");
        }
        return new ModelUnavailable("model class '" + modelClass + "' is not configured; the classes are "
                + new java.util.TreeSet<>(gateway.settings.classes().keySet())
                + "; add it under models.classes in aios.yaml, e.g. " + modelClass + ": openai/gpt-4o-mini");
    }

    /** What the step's provenance shows of a call: no prompt or answer text, which the receipt keeps. */
    private static ObjectNode summary(JsonNode exchange) {
        ObjectNode note = JSON.objectNode();
        note.put("provider", exchange.path("provider").asText());
        note.put("model", exchange.path("model").asText());
        note.put("class", exchange.path("class").asText());
        note.put("cached", exchange.path("cached").asBoolean());
        note.put("inputTokens", exchange.path("usage").path("inputTokens").asLong());
        note.put("outputTokens", exchange.path("usage").path("outputTokens").asLong());
        note.put("costUsd", exchange.path("costUsd").asText("0"));
        note.put("repaired", exchange.has("repair"));
        var tools = new ArrayList<String>();
        exchange.path("completion")
                .path("toolCalls")
                .forEach(call -> tools.add(call.path("name").asText()));
        if (!tools.isEmpty()) {
            var array = note.putArray("toolCalls");
            tools.forEach(array::add);
        }
        return note;
    }
}
