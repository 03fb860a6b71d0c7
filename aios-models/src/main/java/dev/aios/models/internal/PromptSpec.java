package dev.aios.models.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.AgentDeclaration;
import dev.aios.api.ModelRequest;
import dev.aios.api.ModelTool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A prompt agent as a playbook declares it ({@code kind: prompt}), checked when the playbook loads.
 *
 * @param name the agent's name
 * @param version its version ({@code version:}, default 1)
 * @param description one sentence for the operator
 * @param modelClass the model class it asks first ({@code model:}, default small)
 * @param system the system message template, if any
 * @param prompt the prompt template
 * @param title the template of the operator task's title when the operator must write the output
 * @param inputSchema the JSON Schema of its input ({@code input:}, default any object)
 * @param outputSchema the JSON Schema of its output ({@code output:}, default {@code {text}}), with
 *     {@code confidence} added
 * @param draft templates of the draft the operator gets when no model answers ({@code draft:}); missing
 *     means an empty skeleton of the output schema
 * @param escalation when a low confidence sends the request to another class
 * @param tools agents the model may call
 * @param maxTokens the longest answer
 * @param timeout the longest one attempt of the step may take
 * @param cache whether answers may come from the response cache
 * @param recall what to recall from memory for {@code {{memory}}}
 * @param examples how many of the operator's past corrections of this agent's outputs, the most
 *     similar to this request, are put into the prompt as examples ({@code examples:}, default 3; 0
 *     for none)
 */
record PromptSpec(
        String name,
        String version,
        String description,
        String modelClass,
        Optional<Template> system,
        Template prompt,
        Template title,
        ObjectNode inputSchema,
        ObjectNode outputSchema,
        JsonNode draft,
        Optional<Escalation> escalation,
        List<ModelTool> tools,
        int maxTokens,
        Duration timeout,
        boolean cache,
        Recall recall,
        int examples) {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Set<String> KEYS = Set.of(
            "description",
            "version",
            "model",
            "system",
            "prompt",
            "title",
            "input",
            "output",
            "draft",
            "confidence",
            "tools",
            "maxTokens",
            "timeout",
            "cache",
            "recall",
            "examples");

    /** The escalation used by an agent on the small class that does not configure one. */
    static final double DEFAULT_ESCALATE_BELOW = 0.5;

    /**
     * What {@code {{memory}}} holds: the {@code k} memory items that best match {@code query} (the
     * prompt itself when absent), about the run's subject only when {@code sameSubject}.
     */
    record Recall(Optional<Template> query, int k, boolean sameSubject) {}

    /**
     * Escalation: an answer with a confidence below {@code below} is asked again of class {@code to}.
     */
    record Escalation(double below, String to) {}

    /**
     * Reads a declaration.
     *
     * @param classes the configured model classes; empty when no provider is configured
     * @throws IllegalArgumentException saying what is wrong and what to write instead
     */
    static PromptSpec parse(AgentDeclaration declaration, Set<String> classes) {
        var spec = declaration.spec();
        spec.fieldNames().forEachRemaining(key -> {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        "unknown setting '" + key + "'; a prompt agent has " + new java.util.TreeSet<>(KEYS));
            }
        });
        if (!spec.path("prompt").isTextual() || spec.path("prompt").asText().isBlank()) {
            throw new IllegalArgumentException("needs a prompt: a template such as \"Summarize {{input.text}}\"");
        }
        String modelClass = spec.path("model").asText("small");
        if (!classes.isEmpty() && !classes.contains(modelClass)) {
            throw new IllegalArgumentException("model class '" + modelClass + "' is not configured; the classes are "
                    + new java.util.TreeSet<>(classes) + " (models.classes in aios.yaml)");
        }
        var output = output(spec.path("output"));
        var draft = spec.has("draft") ? spec.path("draft").deepCopy() : skeleton(output);
        templates(draft, "draft");
        if (draft instanceof ObjectNode object && !object.has("confidence")) {
            object.put("confidence", 1.0);
        }
        return new PromptSpec(
                declaration.name(),
                spec.path("version").asText("1"),
                spec.path("description").asText("prompt agent on model class " + modelClass),
                modelClass,
                spec.has("system") ? Optional.of(template(spec.path("system"), "system")) : Optional.empty(),
                template(spec.path("prompt"), "prompt"),
                spec.has("title")
                        ? template(spec.path("title"), "title")
                        : Template.of("Write the output of " + declaration.name() + " yourself"),
                input(spec.path("input")),
                output,
                draft,
                escalation(spec.path("confidence"), modelClass),
                tools(spec.path("tools")),
                positive(spec, "maxTokens", ModelRequest.DEFAULT_MAX_OUTPUT_TOKENS),
                spec.has("timeout")
                        ? SettingsReader.duration(spec.path("timeout").asText(), "timeout")
                        : Duration.ofMinutes(3),
                spec.path("cache").asBoolean(true),
                recall(spec.path("recall")),
                examples(spec.path("examples")));
    }

    private static int examples(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return 3;
        }
        if (!node.isInt() || node.asInt() < 0 || node.asInt() > 10) {
            throw new IllegalArgumentException(
                    "examples: how many past corrections to show the model, 0 to 10, was " + node);
        }
        return node.asInt();
    }

    private static Recall recall(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return new Recall(Optional.empty(), 5, false);
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("recall: must be a mapping, e.g. { query: \"{{input.need}}\", k: 5 }");
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!Set.of("query", "k", "sameSubject").contains(key)) {
                throw new IllegalArgumentException(
                        "recall: unknown setting '" + key + "'; it has query, k, sameSubject");
            }
        });
        return new Recall(
                node.has("query") ? Optional.of(template(node.path("query"), "recall.query")) : Optional.empty(),
                positive(node, "k", 5),
                node.path("sameSubject").asBoolean(false));
    }

    private static Template template(JsonNode node, String field) {
        if (!node.isTextual()) {
            throw new IllegalArgumentException(field + ": must be text");
        }
        try {
            return Template.of(node.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    private static void templates(JsonNode node, String where) {
        if (node.isTextual()) {
            template(node, where);
        } else if (node.isObject()) {
            node.properties().forEach(e -> templates(e.getValue(), where + "." + e.getKey()));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                templates(node.get(i), where + "[" + i + "]");
            }
        }
    }

    private static ObjectNode input(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return JSON.objectNode().put("type", "object");
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("input: must be a JSON Schema (a mapping)");
        }
        return (ObjectNode) node.deepCopy();
    }

    /** The output schema with {@code confidence} (0 to 1) required. */
    private static ObjectNode output(JsonNode node) {
        ObjectNode schema;
        if (node.isMissingNode() || node.isNull()) {
            schema = JSON.objectNode().put("type", "object");
            schema.putObject("properties").putObject("text").put("type", "string");
            schema.putArray("required").add("text");
        } else if (node.isObject() && node.path("type").asText().equals("object")) {
            schema = (ObjectNode) node.deepCopy();
        } else {
            throw new IllegalArgumentException(
                    "output: must be a JSON Schema of an object (type: object, properties: ...)");
        }
        ObjectNode properties =
                schema.has("properties") ? (ObjectNode) schema.get("properties") : schema.putObject("properties");
        if (!properties.has("confidence")) {
            properties
                    .putObject("confidence")
                    .put("type", "number")
                    .put("minimum", 0)
                    .put("maximum", 1)
                    .put("description", "how sure you are that the answer is right and complete, from 0 to 1");
        }
        ArrayNode required = schema.has("required") ? (ArrayNode) schema.get("required") : schema.putArray("required");
        boolean listed = false;
        for (JsonNode name : required) {
            listed |= name.asText().equals("confidence");
        }
        if (!listed) {
            required.add("confidence");
        }
        try {
            new SchemaCheck(schema);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("output: " + e.getMessage(), e);
        }
        return schema;
    }

    /** An empty value of every property: what the operator fills in when no model can. */
    private static JsonNode skeleton(JsonNode schema) {
        return switch (schema.path("type").asText()) {
            case "object" -> {
                ObjectNode object = JSON.objectNode();
                schema.path("properties").properties().forEach(e -> object.set(e.getKey(), skeleton(e.getValue())));
                yield object;
            }
            case "array" -> JSON.arrayNode();
            case "number", "integer" -> JSON.numberNode(0);
            case "boolean" -> JSON.booleanNode(false);
            default ->
                schema.has("enum") && !schema.path("enum").isEmpty()
                        ? schema.path("enum").get(0)
                        : JSON.textNode("");
        };
    }

    private static Optional<Escalation> escalation(JsonNode node, String modelClass) {
        if (node.isMissingNode() || node.isNull()) {
            return modelClass.equals("small")
                    ? Optional.of(new Escalation(DEFAULT_ESCALATE_BELOW, "large"))
                    : Optional.empty();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(
                    "confidence: must be a mapping, e.g. { escalateBelow: 0.6, escalateTo: large }");
        }
        double below = node.path("escalateBelow").asDouble(DEFAULT_ESCALATE_BELOW);
        if (below < 0 || below > 1) {
            throw new IllegalArgumentException("confidence.escalateBelow must be between 0 and 1, was " + below);
        }
        String to = node.path("escalateTo").asText("large");
        return below == 0 || to.equals(modelClass) ? Optional.empty() : Optional.of(new Escalation(below, to));
    }

    private static List<ModelTool> tools(JsonNode node) {
        var tools = new ArrayList<ModelTool>();
        if (node.isMissingNode() || node.isNull()) {
            return tools;
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("tools: must be a list of agent names or {agent, description, input}");
        }
        for (JsonNode entry : node) {
            try {
                if (entry.isTextual()) {
                    tools.add(new ModelTool(
                            entry.asText(),
                            "the agent " + entry.asText(),
                            JSON.objectNode().put("type", "object")));
                } else {
                    tools.add(new ModelTool(
                            entry.path("agent").asText(),
                            entry.path("description")
                                    .asText("the agent " + entry.path("agent").asText()),
                            entry.has("input")
                                    ? entry.path("input")
                                    : JSON.objectNode().put("type", "object")));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tools: " + e.getMessage(), e);
            }
        }
        return tools;
    }

    private static int positive(JsonNode spec, String field, int fallback) {
        if (!spec.has(field)) {
            return fallback;
        }
        int value = spec.path(field).asInt(0);
        if (value < 1) {
            throw new IllegalArgumentException(field + ": must be a positive whole number");
        }
        return value;
    }
}
