package dev.aios.models.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.AgentContext;
import dev.aios.api.BudgetExceeded;
import dev.aios.api.JsonAgent;
import dev.aios.api.JsonContract;
import dev.aios.api.MemoryQuery;
import dev.aios.api.ModelRequest;
import dev.aios.api.Models;
import dev.aios.api.OperatorNeeded;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A prompt agent: fills its templates from the step's input and the run, asks the model of its class
 * for JSON matching its output schema (with a confidence), and escalates to a larger class when the
 * confidence is low. When no model can answer (none configured, or a budget would be passed) the
 * operator gets a task holding the template-filled draft to edit and approve.
 */
final class PromptAgent implements JsonAgent {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String INSTRUCTIONS = "Answer with one JSON object that matches the given JSON Schema,"
            + " and nothing else. Set \"confidence\" to how sure you are that your answer is right and complete,"
            + " from 0 (a guess) to 1 (certain).";

    private final PromptSpec spec;
    private final JsonContract contract;

    PromptAgent(PromptSpec spec, Set<String> providers) {
        this.spec = spec;
        this.contract = new JsonContract(
                spec.name(),
                spec.version(),
                spec.description(),
                spec.inputSchema(),
                spec.outputSchema(),
                List.of(),
                providers,
                spec.timeout());
    }

    @Override
    public JsonContract contract() {
        return contract;
    }

    @Override
    public JsonNode run(JsonNode input, AgentContext context) {
        var roots = roots(input, context);
        if (usesMemory()) {
            roots.put("memory", JSON.textNode(recall(roots, context)));
        }
        var models = gateway(context);
        if (models.isEmpty() || !models.get().available(spec.modelClass())) {
            throw new OperatorNeeded(
                    spec.title().render(roots),
                    "no model provider is configured for model class '" + spec.modelClass()
                            + "', so here is a draft from the template to edit and approve (set OPENAI_API_KEY,"
                            + " OPENAI_BASE_URL or ANTHROPIC_API_KEY, or models in aios.yaml, to have it written)",
                    draft(roots, Optional.empty()));
        }
        var prompt = spec.prompt().render(roots);
        var request = new ModelRequest(
                spec.modelClass(),
                spec.system().map(t -> t.render(roots) + "\n\n").orElse("") + INSTRUCTIONS,
                prompt + corrections(prompt, context),
                Optional.of(spec.outputSchema()),
                spec.tools(),
                spec.maxTokens(),
                spec.cache());
        if (models.get() instanceof StepModels step) {
            step.about(input);
        }
        Optional<JsonNode> written = Optional.empty();
        try {
            written = models.get().complete(request).json();
            var escalation = spec.escalation();
            if (escalation.isPresent()
                    && confidence(written.orElseThrow()) < escalation.get().below()
                    && models.get().available(escalation.get().to())) {
                written = models.get()
                        .complete(request.withModelClass(escalation.get().to()))
                        .json();
            }
            return written.orElseThrow();
        } catch (BudgetExceeded | dev.aios.models.PromptWithheld e) {
            throw new OperatorNeeded(spec.title().render(roots), e.getMessage(), draft(roots, written));
        }
    }

    private boolean usesMemory() {
        return spec.prompt().uses("memory")
                || spec.system().map(t -> t.uses("memory")).orElse(false);
    }

    /**
     * What memory recalls for this step, one item a line; nothing without the memory module. The
     * memory records the recall in the step's provenance.
     */
    private String recall(Map<String, JsonNode> roots, AgentContext context) {
        var memory = context.memory();
        if (memory.isEmpty()) {
            return "";
        }
        var recall = spec.recall();
        String text = recall.query().orElse(spec.prompt()).render(roots);
        var query = MemoryQuery.of(text).withK(recall.k());
        if (recall.sameSubject()) {
            query = query.withSubject(context.subject());
        }
        var lines = new StringBuilder();
        for (var hit : memory.get().recall(query).items()) {
            lines.append("- [")
                    .append(hit.kind().name().toLowerCase(java.util.Locale.ROOT))
                    .append(", ")
                    .append(hit.subject())
                    .append(", ")
                    .append(hit.at().toString(), 0, 10)
                    .append("] ")
                    .append(hit.text().strip())
                    .append('\n');
        }
        return lines.toString().strip();
    }

    /** Marks the memory items that are the operator's corrections of an agent's output. */
    static final String CORRECTION = "correction";

    /**
     * The operator's corrections of this agent's earlier outputs most similar to {@code prompt}, as
     * examples for the model; nothing without memory or corrections. Memory records the recall in
     * the step's provenance, and an {@code examples} note names the corrections used.
     */
    private String corrections(String prompt, AgentContext context) {
        var memory = context.memory();
        if (spec.examples() == 0 || memory.isEmpty()) {
            return "";
        }
        var query = prompt.length() > MemoryQuery.MAX_TEXT ? prompt.substring(0, MemoryQuery.MAX_TEXT) : prompt;
        var found = memory
                .get()
                .recall(MemoryQuery.of(query)
                        .withKinds(dev.aios.api.MemoryKind.NOTE)
                        .withK(Math.min(MemoryQuery.MAX_K, spec.examples() * 10)))
                .items()
                .stream()
                .filter(hit -> CORRECTION.equals(hit.metadata().path("about").asText()))
                .filter(hit -> spec.name().equals(hit.metadata().path("agent").asText()))
                .limit(spec.examples())
                .toList();
        if (found.isEmpty()) {
            return "";
        }
        var text = new StringBuilder(
                "\n\nThe operator corrected earlier answers to similar requests. Answer the way these corrections"
                        + " show:");
        var used = JSON.arrayNode();
        for (var hit : found) {
            text.append("\n- Request: ")
                    .append(hit.metadata().path("input"))
                    .append("\n  Answer the operator approved: ")
                    .append(hit.metadata().path("output"));
            used.addObject()
                    .put("id", hit.id())
                    .put("task", hit.metadata().path("task").asText())
                    .put("score", hit.score());
        }
        context.note("examples", JSON.objectNode().set("corrections", used));
        return text.toString();
    }

    private static Optional<Models> gateway(AgentContext context) {
        try {
            return Optional.of(context.model());
        } catch (IllegalStateException noGateway) {
            return Optional.empty();
        }
    }

    private static double confidence(JsonNode output) {
        var confidence = output.path("confidence");
        return confidence.isNumber() ? confidence.asDouble() : 0;
    }

    /** The operator's starting point: what a smaller model already wrote, else the filled draft templates. */
    private JsonNode draft(Map<String, JsonNode> roots, Optional<JsonNode> written) {
        if (written.isPresent()) {
            return written.get();
        }
        return fill(spec.draft(), roots);
    }

    private static JsonNode fill(JsonNode node, Map<String, JsonNode> roots) {
        if (node.isTextual()) {
            return JSON.textNode(Template.of(node.asText()).render(roots));
        }
        if (node.isObject()) {
            ObjectNode object = JSON.objectNode();
            node.properties().forEach(e -> object.set(e.getKey(), fill(e.getValue(), roots)));
            return object;
        }
        if (node.isArray()) {
            var array = JSON.arrayNode();
            node.forEach(item -> array.add(fill(item, roots)));
            return array;
        }
        return node.deepCopy();
    }

    private static Map<String, JsonNode> roots(JsonNode input, AgentContext context) {
        ObjectNode run = JSON.objectNode()
                .put("id", context.runId())
                .put("subject", context.subject())
                .put("step", context.stepId())
                .put("playbook", context.playbook().name());
        var roots = new HashMap<String, JsonNode>();
        roots.put("input", input);
        roots.put("run", run);
        roots.put("memory", JSON.textNode(""));
        return roots;
    }
}
