package dev.aios.kernel.internal.playbook;

import dev.aios.api.AgentDeclaration;
import dev.aios.api.Playbook;
import dev.aios.api.Step;
import dev.aios.api.Trigger;
import dev.aios.api.WaitStep;
import dev.aios.kernel.PlaybookException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Reads one playbook from YAML into the model, remembering the line of every part. Refuses the
 * whole file with a {@link PlaybookException} listing every problem found: YAML syntax, unknown or
 * missing keys, values of the wrong shape. The graph itself is checked by {@link PlaybookCompiler}.
 */
public final class YamlPlaybookReader {

    /** The largest playbook file accepted, in code points. */
    public static final int MAX_CODE_POINTS = 1024 * 1024;

    private static final List<String> ROOT_KEYS =
            List.of("name", "description", "trigger", "steps", "defaults", "agents");
    private static final List<String> TRIGGER_KEYS = List.of("event", "when", "schedule", "every", "zone", "missed");
    private static final List<String> KINDS = List.of(
            "agent",
            "approval",
            "wait",
            "await",
            "branch",
            "emit",
            "parallel",
            "forEach",
            "call",
            "conversation",
            "send");
    private static final Map<String, List<String>> STEP_KEYS = Map.ofEntries(
            Map.entry("parallel", List.of("id", "parallel", "join", "next")),
            Map.entry("forEach", List.of("id", "forEach", "as", "steps", "concurrency", "collect", "next")),
            Map.entry("call", List.of("id", "call", "next", "retry", "timeout", "onFailure")),
            Map.entry("conversation", List.of("id", "conversation", "next")),
            Map.entry("send", List.of("id", "send", "next")),
            Map.entry(
                    "agent",
                    List.of(
                            "id",
                            "agent",
                            "input",
                            "approval",
                            "next",
                            "retry",
                            "timeout",
                            "heartbeat",
                            "compensate",
                            "onFailure",
                            "window",
                            "fallback")),
            Map.entry("approval", List.of("id", "approval", "next", "onReject")),
            Map.entry("wait", List.of("id", "wait", "next")),
            Map.entry("await", List.of("id", "await", "next")),
            Map.entry("branch", List.of("id", "branch", "otherwise")),
            Map.entry("emit", List.of("id", "emit", "next")));

    /**
     * Reads {@code yamlText}, which came from {@code source} (a file name, used in messages).
     *
     * @throws PlaybookException listing every problem, each with its line
     */
    public ParsedPlaybook read(String source, String yamlText) {
        var nodes = new YamlNodes(source);
        var playbook = compose(yamlText, nodes).flatMap(root -> playbook(root, nodes));
        if (nodes.hasProblems() || playbook.isEmpty()) {
            throw nodes.failure();
        }
        return new ParsedPlaybook(playbook.get(), nodes.sourceMap());
    }

    private static Optional<Node> compose(String text, YamlNodes nodes) {
        if (text.length() > MAX_CODE_POINTS && text.codePointCount(0, text.length()) > MAX_CODE_POINTS) {
            nodes.problem(0, "the file is larger than 1 MB; split it into several playbooks");
            return Optional.empty();
        }
        var options = new LoaderOptions();
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setMaxAliasesForCollections(20);
        options.setNestingDepthLimit(40);
        options.setAllowRecursiveKeys(false);
        options.setMergeOnCompose(true);
        var dumper = new DumperOptions();
        var yaml = new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options);
        try {
            var root = yaml.compose(new StringReader(text));
            if (root == null) {
                nodes.problem(0, "the file is empty; a playbook needs name, trigger and steps");
            }
            return Optional.ofNullable(root);
        } catch (MarkedYAMLException e) {
            // at the end of the file, where a construct began says more than where the file ended
            var atEnd = e.getProblem() != null && e.getProblem().contains("<stream end>");
            var mark = e.getProblemMark() != null && !(atEnd && e.getContextMark() != null)
                    ? e.getProblemMark()
                    : e.getContextMark();
            var problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
            var context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
            nodes.problem(
                    mark == null ? 0 : mark.getLine() + 1,
                    "invalid YAML: " + problem + context
                            + "; check the indentation, and quote values that contain ': ' or ' #'");
        } catch (YAMLException e) {
            nodes.problem(0, "invalid YAML: " + e.getMessage());
        }
        return Optional.empty();
    }

    private static Optional<Playbook> playbook(Node root, YamlNodes nodes) {
        var entries = nodes.mapping(root, "", ROOT_KEYS, "a playbook");
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        var map = entries.get();
        var name = nodes.requiredText(map, "name", "", root, "name the playbook, e.g. name: lead-to-invoice");
        var description = nodes.optionalText(map, "description", "").orElse("");
        var trigger = trigger(map, root, nodes);
        var steps = steps(map, root, nodes);
        var agents = agents(map, nodes);
        var defaults = Optional.ofNullable(map.get("defaults"))
                .flatMap(node ->
                        nodes.mapping(node, "defaults", List.of("retry", "timeout", "onFailure", "window"), "defaults"))
                .map(fields -> OptionReaders.read(fields, "defaults", nodes))
                .orElse(dev.aios.api.StepOptions.NONE);
        name.ifPresent(n -> checkName(n, map.get("name"), nodes));
        if (nodes.hasProblems() || name.isEmpty() || trigger.isEmpty()) {
            return Optional.empty();
        }
        return build(
                nodes,
                root,
                "the playbook",
                () -> new Playbook(name.get(), description, trigger.get(), steps, defaults, agents));
    }

    /** The agents the playbook declares: each a mapping with a name, a kind (prompt by default) and its settings. */
    private static List<AgentDeclaration> agents(Map<String, Node> map, YamlNodes nodes) {
        var node = map.get("agents");
        if (node == null) {
            return List.of();
        }
        var declarations = new ArrayList<AgentDeclaration>();
        var items = nodes.sequence(node, "agents", "write each agent as '- name: ...' with its settings")
                .orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
            var path = "agents[" + i + "]";
            var item = items.get(i);
            nodes.mark(path, item);
            if (!(item instanceof MappingNode)) {
                nodes.problem(item, path + " must be a mapping with a name and the agent's settings");
                continue;
            }
            var spec = (com.fasterxml.jackson.databind.node.ObjectNode) YamlJson.of(item);
            var name = spec.path("name").asText("");
            var kind = spec.path("kind").asText("prompt");
            spec.remove("name");
            spec.remove("kind");
            if (name.isEmpty()) {
                nodes.problem(item, path + ": name the agent, e.g. name: draft-proposal");
                continue;
            }
            build(nodes, item, path, () -> new AgentDeclaration(name, kind, spec))
                    .ifPresent(declarations::add);
        }
        return declarations;
    }

    private static void checkName(String name, Node node, YamlNodes nodes) {
        try {
            // The model owns the naming rule; a throwaway playbook applies it without copying it here.
            new Playbook(name, "", Trigger.on("check"), List.of(WaitStep.forDuration("check", "1s")));
        } catch (IllegalArgumentException e) {
            nodes.problem(node, "name: " + e.getMessage());
        }
    }

    private static Optional<Trigger> trigger(Map<String, Node> map, Node root, YamlNodes nodes) {
        var node = map.get("trigger");
        if (node == null) {
            nodes.problem(
                    root, "missing 'trigger'; say which event starts a run, e.g. trigger: { event: lead.received }");
            return Optional.empty();
        }
        nodes.mark("trigger", node);
        if (node instanceof ScalarNode) {
            return nodes.text(node, "trigger").map(Trigger::on);
        }
        return nodes.mapping(node, "trigger", TRIGGER_KEYS, "a trigger").flatMap(fields -> {
            if (fields.containsKey("schedule") || fields.containsKey("every")) {
                return schedule(fields, node, nodes);
            }
            for (var key : List.of("zone", "missed")) {
                if (fields.containsKey(key)) {
                    nodes.problem(
                            fields.get(key), "trigger." + key + " belongs to a schedule; add schedule: or every:");
                }
            }
            var event = nodes.requiredText(fields, "event", "trigger", node, "name the event type, e.g. lead.received");
            var when = nodes.optionalCel(fields, "when", "trigger");
            return event.map(type -> new Trigger(type, when));
        });
    }

    /** {@code trigger: { schedule: "0 9 * * MON", zone: Europe/Berlin, missed: once }} or {@code { every: 15m }}. */
    private static Optional<Trigger> schedule(Map<String, Node> fields, Node node, YamlNodes nodes) {
        if (fields.containsKey("event")) {
            nodes.problem(
                    fields.get("event"),
                    "trigger: a scheduled playbook starts on its schedule alone; remove event: or the schedule");
            return Optional.empty();
        }
        var cron = Optional.ofNullable(fields.get("schedule")).flatMap(n -> nodes.text(n, "trigger.schedule"));
        var every = Optional.ofNullable(fields.get("every"))
                .flatMap(n -> nodes.text(n, "trigger.every").flatMap(text -> {
                    var parsed = dev.aios.api.Durations.parse(text);
                    if (parsed.isEmpty()) {
                        nodes.problem(n, "trigger.every: '" + text + "' is not a duration; write e.g. 15m, 1h or 1d");
                    }
                    return parsed;
                }));
        var zone = Optional.ofNullable(fields.get("zone"))
                .flatMap(n -> nodes.text(n, "trigger.zone"))
                .orElse("UTC");
        var missed = Optional.ofNullable(fields.get("missed"))
                .flatMap(n -> nodes.text(n, "trigger.missed"))
                .orElse(dev.aios.api.Schedule.Missed.ONCE.wire());
        var when = nodes.optionalCel(fields, "when", "trigger");
        if (nodes.hasProblems()) {
            return Optional.empty();
        }
        return build(nodes, node, "trigger", () -> {
            var trigger = Trigger.on(
                    new dev.aios.api.Schedule(cron, every, zone, dev.aios.api.Schedule.Missed.fromWire(missed)));
            return when.map(trigger::withWhen).orElse(trigger);
        });
    }

    private static List<Step> steps(Map<String, Node> map, Node root, YamlNodes nodes) {
        var node = map.get("steps");
        if (node == null) {
            nodes.problem(
                    root, "missing 'steps'; list what the playbook does, e.g. steps: [ { id: qualify, agent: x } ]");
            return List.of();
        }
        return stepList(node, "steps", nodes);
    }

    /** A list of steps at {@code path}, such as the playbook's, a branch's or a forEach body. */
    static List<Step> stepList(Node node, String path, YamlNodes nodes) {
        var items = nodes.sequence(node, path, "write each step as '- id: ...'");
        if (items.isPresent() && items.get().isEmpty()) {
            nodes.problem(node, path + " is empty; add at least one step");
        }
        var steps = new ArrayList<Step>();
        var list = items.orElse(List.of());
        for (int i = 0; i < list.size(); i++) {
            var at = path + "[" + i + "]";
            nodes.mark(at, list.get(i));
            step(list.get(i), at, nodes).ifPresent(steps::add);
        }
        return steps;
    }

    private static Optional<Step> step(Node node, String path, YamlNodes nodes) {
        var kind = kind(node, path, nodes);
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        var before = nodes.problemCount();
        var fields = nodes.mapping(node, path, STEP_KEYS.get(kind.get()), "a step of kind " + kind.get())
                .orElse(Map.of());
        var id = nodes.requiredText(fields, "id", path, node, "give the step an id, e.g. id: qualify");
        id.ifPresent(value -> {
            try {
                Step.checkId(value);
            } catch (IllegalArgumentException e) {
                nodes.problem(fields.get("id"), path + ".id: " + e.getMessage());
            }
        });
        var next = nodes.optionalText(fields, "next", path);
        Supplier<Step> step =
                switch (kind.get()) {
                    case "agent" -> StepReaders.agent(id, fields, next, node, path, nodes);
                    case "approval" -> StepReaders.approval(id, fields, next, node, path, nodes);
                    case "wait" -> StepReaders.wait(id, fields, next, node, path, nodes);
                    case "await" -> StepReaders.await(id, fields, next, node, path, nodes);
                    case "branch" -> StepReaders.branch(id, fields, node, path, nodes);
                    case "emit" -> StepReaders.emit(id, fields, next, node, path, nodes);
                    case "parallel" -> BlockReaders.parallel(id, fields, next, path, nodes);
                    case "forEach" -> BlockReaders.forEach(id, fields, next, path, nodes);
                    case "call" -> BlockReaders.call(id, fields, next, node, path, nodes);
                    case "conversation" -> BlockReaders.conversation(id, fields, next, path, nodes);
                    case "send" -> BlockReaders.send(id, fields, next, node, path, nodes);
                    default -> throw new IllegalStateException("kind " + kind.get());
                };
        if (nodes.problemCount() > before) {
            return Optional.empty();
        }
        return build(nodes, node, path, step);
    }

    private static Optional<String> kind(Node node, String path, YamlNodes nodes) {
        if (!(node instanceof MappingNode mapping)) {
            nodes.problem(
                    node,
                    path + " must be a mapping with an id and one of " + String.join(", ", KINDS) + ", not "
                            + YamlNodes.describe(node));
            return Optional.empty();
        }
        var kinds = mapping.getValue().stream()
                .map(tuple -> tuple.getKeyNode())
                .filter(key -> key instanceof ScalarNode && !key.getTag().equals(Tag.NULL))
                .map(key -> ((ScalarNode) key).getValue())
                .filter(KINDS::contains)
                .distinct()
                .toList();
        var doing = kinds.contains("agent")
                ? kinds.stream().filter(k -> !k.equals("approval")).toList()
                : kinds;
        if (doing.isEmpty()) {
            nodes.problem(
                    node,
                    path + ": say what the step does with one of " + String.join(", ", KINDS)
                            + ", e.g. agent: qualify-lead");
            return Optional.empty();
        }
        if (doing.size() > 1) {
            nodes.problem(
                    node,
                    path + ": a step does one thing, but this one has " + String.join(" and ", doing)
                            + "; split it into separate steps");
            return Optional.empty();
        }
        return Optional.of(doing.get(0));
    }

    private static <T> Optional<T> build(YamlNodes nodes, Node node, String what, Supplier<T> constructor) {
        try {
            return Optional.of(constructor.get());
        } catch (IllegalArgumentException | NullPointerException e) {
            nodes.problem(node, what + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
