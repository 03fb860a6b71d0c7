package dev.aios.kernel.internal.playbook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.AgentStep;
import dev.aios.api.ApprovalStep;
import dev.aios.api.AwaitStep;
import dev.aios.api.BranchStep;
import dev.aios.api.CallStep;
import dev.aios.api.ConversationStep;
import dev.aios.api.EmitStep;
import dev.aios.api.ForEachStep;
import dev.aios.api.ParallelStep;
import dev.aios.api.Playbook;
import dev.aios.api.SendStep;
import dev.aios.api.Step;
import dev.aios.api.Trigger;
import dev.aios.api.WaitStep;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The playbook model as JSON, for storing versions, and the version hash: the first 12 hex digits
 * of the SHA-256 of the canonical JSON (keys sorted, no whitespace). A playbook gets the same
 * version whether written in YAML or built in Java, and whatever the order of keys in the YAML.
 */
public final class PlaybookJson {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PlaybookJson() {}

    /** The playbook as JSON; each step carries its kind in {@code kind}, empty optionals are left out. */
    public static JsonNode toJson(Playbook playbook) {
        var root = JSON.objectNode();
        root.put("name", playbook.name());
        root.put("description", playbook.description());
        var trigger = root.putObject("trigger");
        trigger.put("event", playbook.trigger().event());
        playbook.trigger().when().ifPresent(when -> trigger.put("when", when));
        playbook.trigger().schedule().ifPresent(schedule -> {
            var node = trigger.putObject("schedule");
            schedule.cron().ifPresent(cron -> node.put("cron", cron));
            schedule.every().ifPresent(every -> node.put("every", every.toString()));
            node.put("zone", schedule.zone());
            node.put("missed", schedule.missed().wire());
        });
        root.set("steps", steps(playbook.steps()));
        OptionsJson.toJson(playbook.defaults()).ifPresent(defaults -> root.set("defaults", defaults));
        if (!playbook.agents().isEmpty()) {
            var agents = root.putArray("agents");
            playbook.agents().forEach(a -> agents.addObject()
                    .put("name", a.name())
                    .put("kind", a.kind())
                    .set("spec", a.spec()));
        }
        return root;
    }

    /**
     * The playbook {@link #toJson} wrote.
     *
     * @throws IllegalArgumentException when {@code json} is not such a playbook
     */
    public static Playbook fromJson(JsonNode json) {
        var trigger = field(json, "trigger", "");
        var steps = steps(field(json, "steps", ""), "steps");
        return new Playbook(
                text(json, "name", ""),
                text(json, "description", ""),
                new Trigger(text(trigger, "event", "trigger"), optional(trigger, "when"), schedule(trigger)),
                steps,
                OptionsJson.fromJson(json.get("defaults")),
                agents(json));
    }

    private static Optional<dev.aios.api.Schedule> schedule(JsonNode trigger) {
        var node = trigger.get("schedule");
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        return Optional.of(new dev.aios.api.Schedule(
                optional(node, "cron"),
                optional(node, "every").map(java.time.Duration::parse),
                text(node, "zone", "trigger.schedule"),
                dev.aios.api.Schedule.Missed.fromWire(text(node, "missed", "trigger.schedule"))));
    }

    private static java.util.List<dev.aios.api.AgentDeclaration> agents(JsonNode json) {
        var agents = new ArrayList<dev.aios.api.AgentDeclaration>();
        for (var a : json.path("agents")) {
            agents.add(new dev.aios.api.AgentDeclaration(
                    text(a, "name", "agents"), text(a, "kind", "agents"), a.path("spec")));
        }
        return agents;
    }

    /**
     * Every step (nested ones included) by its static path, each as stored but with the steps
     * nested in it reduced to their ids: what changed between two versions, step by step.
     */
    public static Map<String, JsonNode> stepsByPath(Playbook playbook) {
        var result = new LinkedHashMap<String, JsonNode>();
        flatten(playbook.steps(), "", result);
        return result;
    }

    private static void flatten(List<Step> steps, String scope, Map<String, JsonNode> result) {
        for (var step : steps) {
            var path = StepPaths.child(scope, step.id());
            var node = step(step);
            switch (step) {
                case ParallelStep parallel -> {
                    var branches = node.putObject("branches");
                    parallel.branches().forEach((name, list) -> {
                        var ids = branches.putArray(name);
                        list.forEach(s -> ids.add(s.id()));
                        flatten(list, StepPaths.branch(path, name), result);
                    });
                }
                case ForEachStep forEach -> {
                    var ids = node.putArray("steps");
                    forEach.steps().forEach(s -> ids.add(s.id()));
                    flatten(forEach.steps(), path, result);
                }
                default -> {}
            }
            result.put(path, node);
        }
    }

    /** The content hash identifying this version of the playbook. */
    public static String version(Playbook playbook) {
        try {
            var canonical = MAPPER.writeValueAsString(sorted(toJson(playbook)));
            var digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash playbook " + playbook.name(), e);
        }
    }

    private static ArrayNode steps(List<Step> steps) {
        var array = JSON.arrayNode();
        steps.forEach(step -> array.add(step(step)));
        return array;
    }

    private static List<Step> steps(JsonNode items, String path) {
        var steps = new ArrayList<Step>();
        for (int i = 0; i < items.size(); i++) {
            steps.add(step(items.get(i), path + "[" + i + "]"));
        }
        return steps;
    }

    private static ObjectNode step(Step step) {
        var node = JSON.objectNode();
        node.put("kind", step.kind());
        node.put("id", step.id());
        switch (step) {
            case AgentStep agent -> {
                node.put("agent", agent.agent());
                node.set("input", map(agent.input()));
                agent.approval().ifPresent(rule -> node.put("approval", rule));
                OptionsJson.toJson(agent.options()).ifPresent(options -> node.set("options", options));
                agent.fallback().ifPresent(fallback -> node.put("fallback", fallback));
            }
            case ApprovalStep approval -> {
                node.put("title", approval.title());
                approval.when().ifPresent(when -> node.put("when", when));
                node.set("show", map(approval.show()));
                approval.onReject().ifPresent(target -> node.put("onReject", target));
            }
            case WaitStep wait -> {
                wait.duration().ifPresent(duration -> node.put("duration", duration));
                wait.until().ifPresent(until -> node.put("until", until));
            }
            case AwaitStep await -> {
                node.put("event", await.event());
                await.match().ifPresent(match -> node.put("match", match));
                node.put("timeout", await.timeout());
                node.put("onTimeout", await.onTimeout());
            }
            case BranchStep branch -> {
                var cases = node.putArray("cases");
                branch.cases()
                        .forEach(c -> cases.addObject().put("when", c.when()).put("target", c.target()));
            }
            case EmitStep emit -> {
                node.put("type", emit.type());
                emit.subject().ifPresent(subject -> node.put("subject", subject));
                node.set("data", map(emit.data()));
            }
            case ParallelStep parallel -> {
                var branches = node.putObject("branches");
                parallel.branches().forEach((name, steps) -> branches.set(name, steps(steps)));
                node.put("join", parallel.join().kind().name());
                node.put("atLeast", parallel.join().count());
            }
            case ForEachStep forEach -> {
                node.put("items", forEach.items());
                node.put("as", forEach.as());
                node.set("steps", steps(forEach.steps()));
                node.put("concurrency", forEach.concurrency());
                forEach.collect().ifPresent(collect -> node.put("collect", collect));
            }
            case CallStep call -> {
                node.put("playbook", call.playbook());
                node.set("input", map(call.input()));
                node.put("wait", call.waits());
                OptionsJson.toJson(call.options()).ifPresent(options -> node.set("options", options));
            }
            case ConversationStep conversation -> {
                var agents = node.putArray("participants");
                conversation.participants().forEach(p -> agents.addObject()
                        .put("name", p.name())
                        .put("agent", p.agent())
                        .set("input", map(p.input())));
                node.put("until", conversation.until());
                node.put("maxTurns", conversation.maxTurns());
                conversation.budget().ifPresent(budget -> node.put("budget", budget.toPlainString()));
            }
            case SendStep send -> {
                node.put("agent", send.agent());
                send.subject().ifPresent(subject -> node.put("subject", subject));
                node.set("message", map(send.message()));
            }
        }
        step.next().ifPresent(next -> node.put("next", next));
        return node;
    }

    private static Step step(JsonNode node, String path) {
        var id = text(node, "id", path);
        var next = optional(node, "next");
        var kind = text(node, "kind", path);
        return switch (kind) {
            case "agent" ->
                new AgentStep(
                        id,
                        text(node, "agent", path),
                        map(node, "input", path),
                        optional(node, "approval"),
                        next,
                        OptionsJson.fromJson(node.get("options")),
                        optional(node, "fallback"));
            case "approval" ->
                new ApprovalStep(
                        id,
                        text(node, "title", path),
                        optional(node, "when"),
                        map(node, "show", path),
                        next,
                        optional(node, "onReject"));
            case "wait" -> new WaitStep(id, optional(node, "duration"), optional(node, "until"), next);
            case "await" ->
                new AwaitStep(
                        id,
                        text(node, "event", path),
                        optional(node, "match"),
                        text(node, "timeout", path),
                        text(node, "onTimeout", path),
                        next);
            case "branch" -> {
                var cases = new ArrayList<BranchStep.Case>();
                for (var c : field(node, "cases", path)) {
                    cases.add(
                            new BranchStep.Case(text(c, "when", path + ".cases"), text(c, "target", path + ".cases")));
                }
                yield new BranchStep(id, cases, next);
            }
            case "emit" ->
                new EmitStep(id, text(node, "type", path), optional(node, "subject"), map(node, "data", path), next);
            case "parallel" -> {
                var branches = new LinkedHashMap<String, List<Step>>();
                field(node, "branches", path)
                        .properties()
                        .forEach(e -> branches.put(e.getKey(), steps(e.getValue(), path + "." + e.getKey())));
                var join =
                        switch (ParallelStep.Join.Kind.valueOf(text(node, "join", path))) {
                            case ALL -> ParallelStep.Join.all();
                            case ANY -> ParallelStep.Join.any();
                            case AT_LEAST ->
                                ParallelStep.Join.atLeast(node.path("atLeast").asInt());
                        };
                yield new ParallelStep(id, branches, join, next);
            }
            case "forEach" ->
                new ForEachStep(
                        id,
                        text(node, "items", path),
                        text(node, "as", path),
                        steps(field(node, "steps", path), path + ".steps"),
                        node.path("concurrency").asInt(ForEachStep.DEFAULT_CONCURRENCY),
                        optional(node, "collect"),
                        next);
            case "call" ->
                new CallStep(
                        id,
                        text(node, "playbook", path),
                        map(node, "input", path),
                        node.path("wait").asBoolean(true),
                        next,
                        OptionsJson.fromJson(node.get("options")));
            case "conversation" -> {
                var participants = new ArrayList<ConversationStep.Participant>();
                for (var p : field(node, "participants", path)) {
                    participants.add(new ConversationStep.Participant(
                            text(p, "name", path), text(p, "agent", path), map(p, "input", path)));
                }
                yield new ConversationStep(
                        id,
                        participants,
                        text(node, "until", path),
                        node.path("maxTurns").asInt(),
                        optional(node, "budget").map(java.math.BigDecimal::new),
                        next);
            }
            case "send" ->
                new SendStep(
                        id, text(node, "agent", path), optional(node, "subject"), map(node, "message", path), next);
            default -> throw new IllegalArgumentException(path + ": unknown step kind '" + kind + "'");
        };
    }

    private static ObjectNode map(Map<String, String> map) {
        var node = JSON.objectNode();
        map.forEach(node::put);
        return node;
    }

    private static Map<String, String> map(JsonNode node, String name, String path) {
        var result = new LinkedHashMap<String, String>();
        var object = node.get(name);
        if (object == null) {
            return result;
        }
        if (!object.isObject()) {
            throw new IllegalArgumentException(path + "." + name + " must be an object");
        }
        object.properties().forEach(e -> result.put(e.getKey(), textOf(e.getValue(), path + "." + name)));
        return result;
    }

    private static JsonNode field(JsonNode node, String name, String path) {
        var value = node.get(name);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("stored playbook lacks " + (path.isEmpty() ? name : path + "." + name));
        }
        return value;
    }

    private static String text(JsonNode node, String name, String path) {
        return textOf(field(node, name, path), path.isEmpty() ? name : path + "." + name);
    }

    private static String textOf(JsonNode value, String path) {
        if (!value.isTextual()) {
            throw new IllegalArgumentException("stored playbook's " + path + " must be text");
        }
        return value.textValue();
    }

    private static Optional<String> optional(JsonNode node, String name) {
        var value = node.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(textOf(value, name));
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            var copy = JSON.objectNode();
            var names = new TreeSet<String>();
            node.properties().forEach(field -> names.add(field.getKey()));
            names.forEach(name -> copy.set(name, sorted(node.get(name))));
            return copy;
        }
        if (node.isArray()) {
            var copy = JSON.arrayNode();
            node.forEach(element -> copy.add(sorted(element)));
            return copy;
        }
        return node;
    }
}
