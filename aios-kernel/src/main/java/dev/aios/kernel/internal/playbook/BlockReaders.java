package dev.aios.kernel.internal.playbook;

import dev.aios.api.CallStep;
import dev.aios.api.ConversationStep;
import dev.aios.api.ForEachStep;
import dev.aios.api.ParallelStep;
import dev.aios.api.ParallelStep.Join;
import dev.aios.api.SendStep;
import dev.aios.api.Step;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads the steps that hold or start other work: {@code parallel}, {@code forEach}, {@code call},
 * {@code conversation} and {@code send}. As in {@link StepReaders}, each method reports what is
 * wrong and returns a constructor that is only called when nothing was reported.
 */
final class BlockReaders {

    private BlockReaders() {}

    static Supplier<Step> parallel(
            Optional<String> id, Map<String, Node> fields, Optional<String> next, String path, YamlNodes nodes) {
        var at = path + ".parallel";
        var spec = fields.get("parallel");
        var branches = new LinkedHashMap<String, List<Step>>();
        nodes.mapping(spec, at, List.of(), "")
                .ifPresent(entries -> entries.forEach((name, list) -> {
                    if (!name.matches("[A-Za-z][A-Za-z0-9_-]{0,63}")) {
                        nodes.problem(
                                nodes.line(at + "." + name, list),
                                at + ": branch name '" + name
                                        + "' must start with a letter and contain only letters, digits, '-' and '_'");
                    }
                    branches.put(name, YamlPlaybookReader.stepList(list, at + "." + name, nodes));
                }));
        if (branches.size() == 1) {
            nodes.problem(
                    nodes.line(at, spec),
                    at + " has one branch; give it two or more (a single branch is just a sequence of steps)");
        }
        var join = Optional.ofNullable(fields.get("join")).flatMap(node -> join(node, path + ".join", nodes));
        return () -> new ParallelStep(id.orElseThrow(), branches, join.orElse(Join.all()), next);
    }

    private static Optional<Join> join(Node node, String path, YamlNodes nodes) {
        if (node instanceof ScalarNode) {
            return nodes.text(node, path).flatMap(text -> switch (text) {
                case "all" -> Optional.of(Join.all());
                case "any" -> Optional.of(Join.any());
                default -> {
                    nodes.problem(node, path + ": '" + text + "' is not a join; use all, any or { atLeast: N }");
                    yield Optional.empty();
                }
            });
        }
        return nodes.mapping(node, path, List.of("atLeast"), "a join").flatMap(fields -> nodes.requiredText(
                        fields, "atLeast", path, node, "say how many branches must finish, e.g. atLeast: 2")
                .flatMap(text -> whole(fields.get("atLeast"), path + ".atLeast", text, nodes))
                .flatMap(count -> {
                    try {
                        return Optional.of(Join.atLeast(count));
                    } catch (IllegalArgumentException e) {
                        nodes.problem(node, path + ": " + e.getMessage());
                        return Optional.empty();
                    }
                }));
    }

    static Supplier<Step> forEach(
            Optional<String> id, Map<String, Node> fields, Optional<String> next, String path, YamlNodes nodes) {
        var items = nodes.cel(fields.get("forEach"), path + ".forEach");
        var as = nodes.optionalText(fields, "as", path).orElse(ForEachStep.DEFAULT_AS);
        var concurrency = Optional.ofNullable(fields.get("concurrency"))
                .flatMap(node -> nodes.text(node, path + ".concurrency")
                        .flatMap(text -> whole(node, path + ".concurrency", text, nodes)))
                .orElse(ForEachStep.DEFAULT_CONCURRENCY);
        var collect = nodes.optionalCel(fields, "collect", path);
        List<Step> body;
        if (fields.containsKey("steps")) {
            body = YamlPlaybookReader.stepList(fields.get("steps"), path + ".steps", nodes);
        } else {
            nodes.problem(
                    nodes.line(path, fields.get("forEach")),
                    path + ": missing 'steps'; list what to do for each item, e.g. steps: [ { id: x, agent: y } ]");
            body = List.of();
        }
        return () -> new ForEachStep(id.orElseThrow(), items.orElseThrow(), as, body, concurrency, collect, next);
    }

    static Supplier<Step> call(
            Optional<String> id,
            Map<String, Node> fields,
            Optional<String> next,
            Node node,
            String path,
            YamlNodes nodes) {
        var spec = fields.get("call");
        var at = path + ".call";
        if (spec instanceof ScalarNode) {
            nodes.mark(at + ".playbook", spec);
            var playbook = nodes.text(spec, at);
            var options = OptionReaders.read(fields, path, nodes);
            return () -> new CallStep(id.orElseThrow(), playbook.orElseThrow(), Map.of(), true, next, options);
        }
        var entries = nodes.mapping(spec, at, List.of("playbook", "input", "wait"), "a call")
                .orElse(Map.of());
        var playbook = nodes.requiredText(
                entries, "playbook", at, spec, "name the playbook to run, e.g. playbook: deliver-asset");
        var input = entries.containsKey("input")
                ? nodes.celMap(entries.get("input"), at + ".input")
                : Map.<String, String>of();
        var wait = Optional.ofNullable(entries.get("wait"))
                .flatMap(n -> bool(n, at + ".wait", nodes))
                .orElse(true);
        var options = OptionReaders.read(fields, path, nodes);
        return () -> new CallStep(id.orElseThrow(), playbook.orElseThrow(), input, wait, next, options);
    }

    static Supplier<Step> conversation(
            Optional<String> id, Map<String, Node> fields, Optional<String> next, String path, YamlNodes nodes) {
        var spec = fields.get("conversation");
        var at = path + ".conversation";
        var entries = nodes.mapping(spec, at, List.of("agents", "until", "maxTurns", "budget"), "a conversation")
                .orElse(Map.of());
        var participants = new ArrayList<ConversationStep.Participant>();
        if (entries.containsKey("agents")) {
            var items = nodes.sequence(
                            entries.get("agents"),
                            at + ".agents",
                            "write each as '- name: drafter' with 'agent:' and 'input:'")
                    .orElse(List.of());
            for (int i = 0; i < items.size(); i++) {
                participant(items.get(i), at + ".agents[" + i + "]", nodes).ifPresent(participants::add);
            }
        } else {
            nodes.problem(
                    nodes.line(at, spec),
                    at + ": missing 'agents'; list who takes turns, e.g. agents: [ { name: drafter, agent: x } ]");
        }
        var until = nodes.requiredCel(
                entries, "until", at, spec, "say when the conversation is over, e.g. until: last.output.approved");
        var maxTurns = Optional.ofNullable(entries.get("maxTurns"))
                .flatMap(n -> nodes.text(n, at + ".maxTurns").flatMap(t -> whole(n, at + ".maxTurns", t, nodes)));
        if (!entries.containsKey("maxTurns") && !entries.isEmpty()) {
            nodes.problem(
                    nodes.line(at, spec),
                    at + ": missing 'maxTurns'; a conversation needs a turn limit so that it ends even when"
                            + " `until` never holds, e.g. maxTurns: 6");
        }
        var budget = Optional.ofNullable(entries.get("budget")).flatMap(n -> money(n, at + ".budget", nodes));
        return () -> new ConversationStep(
                id.orElseThrow(), participants, until.orElseThrow(), maxTurns.orElseThrow(), budget, next);
    }

    private static Optional<ConversationStep.Participant> participant(Node item, String path, YamlNodes nodes) {
        nodes.mark(path, item);
        var fields = nodes.mapping(item, path, List.of("name", "agent", "input"), "a conversation participant");
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        var entries = fields.get();
        var name = nodes.requiredText(entries, "name", path, item, "name the speaker, e.g. name: reviewer");
        var agent = nodes.requiredText(entries, "agent", path, item, "name the agent that speaks");
        var input = entries.containsKey("input")
                ? nodes.celMap(entries.get("input"), path + ".input")
                : Map.<String, String>of();
        if (name.isEmpty() || agent.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ConversationStep.Participant(name.get(), agent.get(), input));
        } catch (IllegalArgumentException e) {
            nodes.problem(item, path + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    static Supplier<Step> send(
            Optional<String> id,
            Map<String, Node> fields,
            Optional<String> next,
            Node node,
            String path,
            YamlNodes nodes) {
        var spec = fields.get("send");
        var at = path + ".send";
        var entries = nodes.mapping(spec, at, List.of("to", "subject", "message"), "a send")
                .orElse(Map.of());
        var to = nodes.requiredText(entries, "to", at, spec, "name the stateful agent, e.g. to: agent/client-account")
                .map(BlockReaders::agentAddress);
        var subject = nodes.optionalCel(entries, "subject", at);
        var message = entries.containsKey("message")
                ? nodes.celMap(entries.get("message"), at + ".message")
                : Map.<String, String>of();
        return () -> new SendStep(id.orElseThrow(), to.orElseThrow(), subject, message, next);
    }

    /** {@code agent/NAME} or {@code NAME}, as an agent's name. */
    static String agentAddress(String to) {
        return to.startsWith("agent/") ? to.substring("agent/".length()) : to;
    }

    private static Optional<Integer> whole(Node node, String path, String text, YamlNodes nodes) {
        try {
            return Optional.of(Integer.parseInt(text.strip()));
        } catch (NumberFormatException e) {
            nodes.problem(node, path + ": '" + text + "' is not a whole number");
            return Optional.empty();
        }
    }

    private static Optional<Boolean> bool(Node node, String path, YamlNodes nodes) {
        return nodes.text(node, path).flatMap(text -> switch (text) {
            case "true", "yes" -> Optional.of(true);
            case "false", "no" -> Optional.of(false);
            default -> {
                nodes.problem(node, path + ": '" + text + "' is not true or false");
                yield Optional.empty();
            }
        });
    }

    private static Optional<BigDecimal> money(Node node, String path, YamlNodes nodes) {
        return nodes.text(node, path).flatMap(text -> {
            try {
                return Optional.of(new BigDecimal(text.strip().replaceFirst("^\\$", "")));
            } catch (NumberFormatException e) {
                nodes.problem(node, path + ": '" + text + "' is not an amount in US dollars, e.g. 0.50");
                return Optional.empty();
            }
        });
    }
}
