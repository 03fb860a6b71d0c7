package dev.aios.kernel.internal.playbook;

import dev.aios.api.AgentStep;
import dev.aios.api.ApprovalStep;
import dev.aios.api.AwaitStep;
import dev.aios.api.BranchStep;
import dev.aios.api.EmitStep;
import dev.aios.api.Step;
import dev.aios.api.WaitStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads the kind-specific part of one YAML step. Each method reports what is wrong and returns a
 * constructor of the step, which the caller only calls when no problem was reported.
 */
final class StepReaders {

    private StepReaders() {}

    static Supplier<Step> agent(
            Optional<String> id,
            Map<String, Node> fields,
            Optional<String> next,
            Node node,
            String path,
            YamlNodes nodes) {
        var agent = nodes.requiredText(fields, "agent", path, node, "name the agent to call, e.g. agent: qualify-lead");
        var input = fields.containsKey("input")
                ? nodes.celMap(fields.get("input"), path + ".input")
                : Map.<String, String>of();
        var rule = Optional.ofNullable(fields.get("approval")).flatMap(approval -> {
            if (approval instanceof ScalarNode) {
                return nodes.cel(approval, path + ".approval");
            }
            return nodes.mapping(approval, path + ".approval", List.of("when"), "an agent step's approval")
                    .flatMap(spec -> nodes.requiredCel(
                            spec,
                            "when",
                            path + ".approval",
                            approval,
                            "say when the output needs approval, e.g. when: output.confidence < 0.7"));
        });
        var options = OptionReaders.read(fields, path, nodes);
        var fallback = nodes.optionalText(fields, "fallback", path);
        return () -> new AgentStep(id.orElseThrow(), agent.orElseThrow(), input, rule, next, options, fallback);
    }

    static Supplier<Step> approval(
            Optional<String> id,
            Map<String, Node> fields,
            Optional<String> next,
            Node node,
            String path,
            YamlNodes nodes) {
        var gate = fields.get("approval");
        var at = path + ".approval";
        if (gate instanceof ScalarNode) {
            nodes.problem(
                    gate,
                    at + ": an approval step needs a mapping with title (and optionally when and show);"
                            + " to gate an agent's output, put approval: under an agent step");
            return () -> null;
        }
        var onReject = nodes.optionalText(fields, "onReject", path);
        var spec = nodes.mapping(gate, at, List.of("title", "when", "show"), "an approval step")
                .orElse(Map.of());
        var title = nodes.requiredText(
                spec, "title", at, gate, "say what the operator is asked, e.g. title: Send the proposal?");
        var when = nodes.optionalCel(spec, "when", at);
        var show = spec.containsKey("show") ? nodes.celMap(spec.get("show"), at + ".show") : Map.<String, String>of();
        return () -> new ApprovalStep(id.orElseThrow(), title.orElseThrow(), when, show, next, onReject);
    }

    static Supplier<Step> wait(
            Optional<String> id,
            Map<String, Node> fields,
            Optional<String> next,
            Node node,
            String path,
            YamlNodes nodes) {
        var spec = fields.get("wait");
        var at = path + ".wait";
        if (spec instanceof ScalarNode) {
            nodes.mark(at + ".for", spec);
            var duration = duration(spec, at, nodes);
            return () -> new WaitStep(id.orElseThrow(), Optional.of(duration.orElseThrow()), Optional.empty(), next);
        }
        var mapping = nodes.mapping(spec, at, List.of("for", "until"), "a wait");
        var entries = mapping.orElse(Map.of());
        var duration = Optional.ofNullable(entries.get("for")).flatMap(value -> duration(value, at + ".for", nodes));
        var until = nodes.optionalText(entries, "until", at);
        if (mapping.isPresent() && entries.containsKey("for") == entries.containsKey("until")) {
            nodes.problem(
                    nodes.line(at, spec),
                    at + ": give either 'for' (a duration, e.g. for: 72h) or 'until' (a time), "
                            + (entries.containsKey("for") ? "not both" : "to say how long to wait"));
        }
        return () -> new WaitStep(id.orElseThrow(), duration, until, next);
    }

    static Supplier<Step> await(
            Optional<String> id,
            Map<String, Node> fields,
            Optional<String> next,
            Node node,
            String path,
            YamlNodes nodes) {
        var spec = fields.get("await");
        var at = path + ".await";
        var entries = nodes.mapping(spec, at, List.of("event", "match", "timeout", "onTimeout"), "an await")
                .orElse(Map.of());
        var event =
                nodes.requiredText(entries, "event", at, spec, "name the event type awaited, e.g. event: invoice.paid");
        var match = nodes.optionalCel(entries, "match", at);
        var timeout = entries.containsKey("timeout")
                ? duration(entries.get("timeout"), at + ".timeout", nodes)
                : nodes.requiredText(entries, "timeout", at, spec, "say how long to wait, e.g. timeout: P7D");
        var onTimeout = nodes.requiredText(
                entries, "onTimeout", at, spec, "name the step to go to when nothing arrives in time, or 'end'");
        return () -> new AwaitStep(
                id.orElseThrow(), event.orElseThrow(), match, timeout.orElseThrow(), onTimeout.orElseThrow(), next);
    }

    static Supplier<Step> branch(
            Optional<String> id, Map<String, Node> fields, Node node, String path, YamlNodes nodes) {
        var at = path + ".branch";
        var cases = new ArrayList<BranchStep.Case>();
        var sequence =
                nodes.sequence(fields.get("branch"), at, "write each case as '- when: <CEL>' with 'goto: <step>'");
        if (sequence.isPresent() && sequence.get().isEmpty()) {
            nodes.problem(fields.get("branch"), at + " has no cases; add '- when: <CEL>' with 'goto: <step>'");
        }
        var items = sequence.orElse(List.of());
        for (int j = 0; j < items.size(); j++) {
            var casePath = at + "[" + j + "]";
            var item = items.get(j);
            nodes.mark(casePath, item);
            nodes.mapping(item, casePath, List.of("when", "goto"), "a branch case")
                    .ifPresent(entry -> {
                        var when = nodes.requiredCel(
                                entry, "when", casePath, item, "give the condition, e.g. when: x > 5");
                        var target =
                                nodes.requiredText(entry, "goto", casePath, item, "name the step to go to, or 'end'");
                        if (when.isPresent() && target.isPresent()) {
                            cases.add(new BranchStep.Case(when.get(), target.get()));
                        }
                    });
        }
        var otherwise = nodes.optionalText(fields, "otherwise", path);
        return () -> new BranchStep(id.orElseThrow(), cases, otherwise);
    }

    static Supplier<Step> emit(
            Optional<String> id,
            Map<String, Node> fields,
            Optional<String> next,
            Node node,
            String path,
            YamlNodes nodes) {
        var spec = fields.get("emit");
        var at = path + ".emit";
        if (spec instanceof ScalarNode) {
            nodes.mark(at + ".type", spec);
            var type = nodes.text(spec, at);
            if (type.isEmpty()) {
                nodes.problem(spec, at + " is empty; name the event type, e.g. emit: project.created");
            }
            return () -> new EmitStep(id.orElseThrow(), type.orElseThrow(), Optional.empty(), Map.of(), next);
        }
        var entries = nodes.mapping(spec, at, List.of("type", "subject", "data"), "an emit")
                .orElse(Map.of());
        var type = nodes.requiredText(entries, "type", at, spec, "name the event type, e.g. type: project.created");
        var subject = nodes.optionalCel(entries, "subject", at);
        var data = entries.containsKey("data")
                ? nodes.celMap(entries.get("data"), at + ".data")
                : Map.<String, String>of();
        return () -> new EmitStep(id.orElseThrow(), type.orElseThrow(), subject, data, next);
    }

    /** A duration as written: a literal such as 72h or P3D, or CEL; a bare number needs a unit. */
    private static Optional<String> duration(Node node, String path, YamlNodes nodes) {
        if (node instanceof ScalarNode scalar
                && (scalar.getTag().equals(Tag.INT) || scalar.getTag().equals(Tag.FLOAT))) {
            nodes.problem(
                    node,
                    path + ": '" + scalar.getValue() + "' has no unit; write e.g. " + scalar.getValue() + "s, "
                            + scalar.getValue() + "h or " + scalar.getValue() + "d");
            return Optional.empty();
        }
        var text = nodes.text(node, path);
        if (text.isEmpty() && node instanceof ScalarNode) {
            nodes.problem(node, path + " is empty; write a duration such as 72h, 15m or P3D");
        }
        return text;
    }
}
