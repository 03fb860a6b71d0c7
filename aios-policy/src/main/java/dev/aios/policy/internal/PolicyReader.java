package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Durations;
import dev.aios.kernel.spi.Verdict;
import dev.aios.policy.PolicyException;
import dev.aios.policy.internal.Rules.Action;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads a policy document (the {@code policy:} section of aios.yaml, as JSON) into a {@link
 * CompiledPolicy}, reporting every problem at once with where it is and what to write instead.
 */
public final class PolicyReader {
    private static final List<String> SECTIONS = List.of(
            "agents",
            "segments",
            "segmentRecord",
            "gates",
            "flags",
            "privacy",
            "limits",
            "escalation",
            "learning",
            "alerts",
            "notify");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern PATH = Pattern.compile("(input|output)(\\.[A-Za-z0-9_-]+)+");

    private final PolicyCel cel;
    private final List<String> problems = new ArrayList<>();

    private PolicyReader(PolicyCel cel) {
        this.cel = cel;
    }

    /**
     * Compiles {@code document}.
     *
     * @throws PolicyException listing every problem
     */
    public static CompiledPolicy read(JsonNode document, PolicyCel cel) {
        return new PolicyReader(cel).compile(document);
    }

    private CompiledPolicy compile(JsonNode doc) {
        if (!doc.isObject()) {
            throw new PolicyException("a policy is a mapping with sections " + SECTIONS);
        }
        doc.fieldNames().forEachRemaining(name -> {
            if (!SECTIONS.contains(name)) {
                problems.add("unknown section '" + name + "'; the sections are " + String.join(", ", SECTIONS));
            }
        });
        var agents = mapOf(doc, "agents", (path, node) -> profile(path, node));
        var segments = mapOf(doc, "segments", (path, node) -> rule(path, node));
        var segmentRecord = doc.path("segmentRecord").asText("customer/{subject}");
        var notify = mapOf(doc, "notify", this::channel);
        var gates = gates(doc.path("gates"), segments.keySet());
        var flags = mapOf(doc, "flags", (path, node) -> flag(path, node, segments.keySet()));
        var privacy = privacy(doc.path("privacy"), segments.keySet());
        var limits = limits(doc.path("limits"));
        var escalation = escalation(doc.path("escalation"), notify.keySet());
        var learning = learning(doc.path("learning"));
        var alerts = alerts(doc.path("alerts"), notify.keySet());
        if (!problems.isEmpty()) {
            throw new PolicyException("the policy has " + problems.size() + " problem"
                    + (problems.size() == 1 ? "" : "s") + "; nothing changed:\n  " + String.join("\n  ", problems));
        }
        return new CompiledPolicy(
                doc.deepCopy(),
                agents,
                segments,
                segmentRecord,
                gates,
                flags,
                privacy,
                limits,
                escalation,
                learning,
                alerts,
                notify);
    }

    @FunctionalInterface
    private interface Entry<T> {
        Optional<T> read(String path, JsonNode node);
    }

    private <T> Map<String, T> mapOf(JsonNode doc, String section, Entry<T> entry) {
        var node = doc.path(section);
        var out = new LinkedHashMap<String, T>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            problems.add(section + ": must be a mapping of names to settings");
            return out;
        }
        node.properties().forEach(e -> {
            var path = section + "." + e.getKey();
            if (!NAME.matcher(e.getKey()).matches()) {
                problems.add(path + ": a name is lower-case letters, digits, '.', '_' and '-'");
                return;
            }
            entry.read(path, e.getValue()).ifPresent(value -> out.put(e.getKey(), value));
        });
        return out;
    }

    private Optional<PolicyCel.Rule> rule(String path, JsonNode node) {
        if (!node.isTextual()) {
            problems.add(path + ": write a CEL condition as text, e.g. record.tier == 'key'");
            return Optional.empty();
        }
        try {
            return Optional.of(cel.compile(path, node.asText()));
        } catch (PolicyException e) {
            problems.add(e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<Rules.AgentProfile> profile(String path, JsonNode node) {
        var confidence = node.path("confidence").asText(Rules.AgentProfile.DEFAULT.confidence());
        var amount = node.path("amount").asText(Rules.AgentProfile.DEFAULT.amount());
        for (var p : List.of(confidence, amount)) {
            if (!PATH.matcher(p).matches()) {
                problems.add(path + ": '" + p + "' must be a path into the step's input or output,"
                        + " e.g. output.confidence or input.amount");
            }
        }
        return Optional.of(new Rules.AgentProfile(confidence, amount));
    }

    private List<Rules.Gate> gates(JsonNode node, Set<String> segments) {
        var gates = new ArrayList<Rules.Gate>();
        if (node.isMissingNode() || node.isNull()) {
            return gates;
        }
        if (!node.isArray()) {
            problems.add("gates: must be a list of gates, each with name, when and decide");
            return gates;
        }
        var names = new LinkedHashSet<String>();
        for (int i = 0; i < node.size(); i++) {
            var gate = node.get(i);
            var path = "gates[" + i + "]";
            var name = gate.path("name").asText("");
            if (!NAME.matcher(name).matches()) {
                problems.add(path + ".name: give the gate a name of lower-case letters, digits, '.', '_', '-'");
                continue;
            }
            if (!names.add(name)) {
                problems.add(path + ".name: gate '" + name + "' is already defined; give each gate its own name");
            }
            var when = rule(path + ".when", gate.path("when"));
            when.ifPresent(w -> checkSegments(path + ".when", w.source(), segments));
            var decide = decision(path + ".decide", gate.path("decide").asText(""));
            var suggestion = Optional.ofNullable(gate.get("suggestion")).map(JsonNode::asText);
            if (when.isPresent() && decide.isPresent()) {
                gates.add(new Rules.Gate(name, when.get(), decide.get(), suggestion));
            }
        }
        return gates;
    }

    private static final Pattern SEGMENT_CALL = Pattern.compile("segment\\(\\s*['\"]([^'\"]*)['\"]\\s*\\)");

    private void checkSegments(String path, String source, Set<String> segments) {
        var m = SEGMENT_CALL.matcher(source);
        while (m.find()) {
            if (!segments.contains(m.group(1))) {
                problems.add(path + ": segment '" + m.group(1) + "' is not defined; the segments are "
                        + (segments.isEmpty() ? "none (define them under segments:)" : segments));
            }
        }
    }

    private Optional<Verdict.Decision> decision(String path, String text) {
        return switch (text) {
            case "auto" -> Optional.of(Verdict.Decision.AUTO);
            case "approve" -> Optional.of(Verdict.Decision.APPROVE);
            case "block" -> Optional.of(Verdict.Decision.BLOCK);
            default -> {
                problems.add(path + ": say auto, approve or block, not '" + text + "'");
                yield Optional.empty();
            }
        };
    }

    private Optional<Rules.Flag> flag(String path, JsonNode node, Set<String> segments) {
        if (node.isTextual()) {
            return state(path, node.asText()).map(s -> new Rules.Flag(s, Map.of()));
        }
        var state = state(path + ".state", node.path("state").asText("on"));
        var bySegment = new LinkedHashMap<String, Rules.FlagState>();
        node.path("segments").properties().forEach(e -> {
            if (!segments.contains(e.getKey())) {
                problems.add(path + ".segments: segment '" + e.getKey() + "' is not defined");
            }
            state(path + ".segments." + e.getKey(), e.getValue().asText()).ifPresent(s -> bySegment.put(e.getKey(), s));
        });
        return state.map(s -> new Rules.Flag(s, bySegment));
    }

    private Optional<Rules.FlagState> state(String path, String text) {
        var state = Rules.FlagState.parse(text.toLowerCase(Locale.ROOT));
        if (state.isEmpty()) {
            problems.add(path + ": a flag is on, off or shadow, not '" + text + "'");
        }
        return state;
    }

    private Rules.Privacy privacy(JsonNode node, Set<String> segments) {
        if (node.isMissingNode() || node.isNull()) {
            return Rules.Privacy.NONE;
        }
        var detectors = EnumSet.noneOf(Rules.Detector.class);
        for (var item : node.path("redact")) {
            var found = false;
            for (var detector : Rules.Detector.values()) {
                if (detector.wire().equals(item.asText())) {
                    detectors.add(detector);
                    found = true;
                }
            }
            if (!found) {
                problems.add(
                        "privacy.redact: '" + item.asText() + "' is not a detector; they are emails, phones, ibans");
            }
        }
        var fields = new ArrayList<String>();
        for (var item : node.path("fields")) {
            if (!item.asText().matches("\\$(\\.[A-Za-z0-9_-]+|\\[\\*])+")) {
                problems.add("privacy.fields: '" + item.asText() + "' must be a JSON path into the step's input"
                        + " such as $.email or $.contacts[*].phone");
            } else {
                fields.add(item.asText());
            }
        }
        var localOnly = new LinkedHashSet<String>();
        for (var item : node.path("localOnly")) {
            if (!segments.contains(item.asText())) {
                problems.add("privacy.localOnly: segment '" + item.asText() + "' is not defined");
            }
            localOnly.add(item.asText());
        }
        return new Rules.Privacy(Set.copyOf(detectors), fields, localOnly);
    }

    private List<Rules.Limit> limits(JsonNode node) {
        var limits = new ArrayList<Rules.Limit>();
        for (int i = 0; i < node.size(); i++) {
            var item = node.get(i);
            var path = "limits[" + i + "]";
            var scope = java.util.Arrays.stream(Rules.Scope.values())
                    .filter(s -> item.has(s.wire()))
                    .findFirst();
            if (scope.isEmpty()) {
                problems.add(path + ": say what it limits: agent, subject, playbook or connector (* for each)");
                continue;
            }
            var calls = item.has("calls") ? Optional.of(item.path("calls").asInt(-1)) : Optional.<Integer>empty();
            Optional<BigDecimal> spend = Optional.empty();
            if (item.has("spend")) {
                try {
                    spend = Optional.of(new BigDecimal(item.path("spend").asText()));
                } catch (NumberFormatException e) {
                    problems.add(path + ".spend: US dollars as a number, e.g. 2.50");
                    continue;
                }
            }
            if (calls.isEmpty() == spend.isEmpty() || calls.filter(n -> n < 1).isPresent()) {
                problems.add(path + ": give either calls (a whole number of at least 1) or spend (US dollars)");
                continue;
            }
            var key = item.path(scope.get().wire()).asText();
            if (scope.get() == Rules.Scope.CONNECTOR && calls.isPresent()) {
                problems.add(path + ": a connector's calls are limited where the connector is configured, e.g."
                        + " connectors: { " + key + ": { rateLimit: { calls: " + calls.get() + ", per: 1m } } } in"
                        + " aios.yaml; a policy limit on a connector is a spend limit (spend: US dollars)");
                continue;
            }
            var limit = spend;
            duration(path + ".per", item.path("per").asText("1d"))
                    .ifPresent(per -> limits.add(new Rules.Limit(scope.get(), key, calls, limit, per)));
        }
        return limits;
    }

    private Rules.Escalation escalation(JsonNode node, Set<String> channels) {
        if (node.isMissingNode() || node.isNull()) {
            return Rules.Escalation.NONE;
        }
        var contractors = mapOf(node, "contractors", (path, item) -> {
            var channel = item.path("notify").asText("");
            if (!channels.contains(channel)) {
                problems.add("escalation." + path + ".notify: channel '" + channel + "' is not defined under notify:");
            }
            var kinds = new LinkedHashSet<String>();
            item.path("kinds").forEach(k -> kinds.add(k.asText()));
            if (kinds.isEmpty()) {
                kinds.add("review");
            }
            return Optional.of(new Rules.Contractor(path.substring("contractors.".length()), channel, kinds));
        });
        var rules = new ArrayList<Rules.EscalationRule>();
        var list = node.path("rules");
        for (int i = 0; i < list.size(); i++) {
            var item = list.get(i);
            var path = "escalation.rules[" + i + "]";
            var when = item.has("when")
                    ? rule(path + ".when", item.path("when"))
                    : Optional.of(cel.compile(path + ".when", "true"));
            var steps = new ArrayList<Rules.Step>();
            for (int j = 0; j < item.path("steps").size(); j++) {
                var step = item.path("steps").get(j);
                var at = path + ".steps[" + j + "]";
                var after = duration(at + ".after", step.path("after").asText(""));
                Optional<Action> action = Optional.empty();
                if (step.has("remind")) {
                    var channel = step.path("remind").asText();
                    if (!channels.contains(channel)) {
                        problems.add(at + ".remind: channel '" + channel + "' is not defined under notify:");
                    }
                    action = Optional.of(new Action.Remind(channel));
                } else if (step.has("delegate")) {
                    var to = step.path("delegate").asText();
                    if (!contractors.containsKey(to)) {
                        problems.add(at + ".delegate: contractor '" + to + "' is not defined under"
                                + " escalation.contractors");
                    }
                    action = Optional.of(new Action.Delegate(to));
                } else if (step.has("default")) {
                    var answer = step.path("default").asText();
                    if (!answer.equals("approve") && !answer.equals("reject")) {
                        problems.add(at + ".default: approve or reject, not '" + answer + "'");
                    }
                    action = Optional.of(new Action.Default(answer.equals("approve")));
                } else {
                    problems.add(at + ": say what to do: remind: CHANNEL, delegate: CONTRACTOR or default: approve");
                }
                if (after.isPresent() && action.isPresent()) {
                    steps.add(new Rules.Step(after.get(), action.get()));
                }
            }
            if (steps.isEmpty()) {
                problems.add(path + ".steps: list at least one step, e.g. - { after: 4h, remind: me }");
            }
            when.ifPresent(w -> rules.add(
                    new Rules.EscalationRule(item.path("name").asText("rules[" + rules.size() + "]"), w, steps)));
        }
        var estimates = new LinkedHashMap<String, Duration>();
        node.path("estimates").properties().forEach(e -> duration(
                        "escalation.estimates." + e.getKey(), e.getValue().asText())
                .ifPresent(d -> estimates.put(e.getKey(), d)));
        var longer = node.has("delegateLongerThan")
                ? duration(
                        "escalation.delegateLongerThan",
                        node.path("delegateLongerThan").asText())
                : Optional.<Duration>empty();
        return new Rules.Escalation(rules, estimates, longer, contractors);
    }

    private Rules.Learning learning(JsonNode node) {
        var defaults = Rules.Learning.DEFAULT;
        int streak = node.path("streak").asInt(defaults.streak());
        if (streak < 1) {
            problems.add("learning.streak: at least 1");
        }
        int examples = node.path("examples").asInt(defaults.examples());
        var window = node.has("window")
                ? duration("learning.window", node.path("window").asText()).orElse(defaults.window())
                : defaults.window();
        var keep = node.has("keep")
                ? duration("learning.keep", node.path("keep").asText()).orElse(defaults.keep())
                : defaults.keep();
        if (keep.compareTo(window) < 0) {
            problems.add("learning.keep: the answers and decisions kept must cover learning.window (" + window.toDays()
                    + "d) at least, e.g. 365d");
        }
        return new Rules.Learning(streak, window, Math.max(0, Math.min(examples, 10)), keep);
    }

    private Rules.Alerts alerts(JsonNode node, Set<String> channels) {
        var d = Rules.Alerts.DEFAULT;
        if (node.isMissingNode() || node.isNull()) {
            return d;
        }
        var notify = Optional.ofNullable(node.get("notify")).map(JsonNode::asText);
        notify.filter(c -> !channels.contains(c))
                .ifPresent(c -> problems.add("alerts.notify: channel '" + c + "' is not defined under notify:"));
        double factor = node.path("factor").asDouble(d.factor());
        if (factor <= 1) {
            problems.add("alerts.factor: a deviation factor above 1, e.g. 3");
        }
        Function<String, Duration> or = name -> node.has(name)
                ? duration("alerts." + name, node.path(name).asText()).orElse(Duration.ofHours(1))
                : null;
        var baseline = Optional.ofNullable(or.apply("baseline")).orElse(d.baseline());
        var window = Optional.ofNullable(or.apply("window")).orElse(d.window());
        return new Rules.Alerts(
                node.path("enabled").asBoolean(true),
                factor,
                baseline,
                window,
                Math.max(1, node.path("minimum").asInt(d.minimum())),
                node.path("failureRate").asDouble(d.failureRate()),
                notify);
    }

    private Optional<Rules.Channel> channel(String path, JsonNode node) {
        if (node.has("webhook")) {
            try {
                var uri = URI.create(node.path("webhook").asText());
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                    throw new IllegalArgumentException("not http(s)");
                }
                return Optional.of(
                        new Rules.Channel(path.substring("notify.".length()), Optional.of(uri), Optional.empty()));
            } catch (IllegalArgumentException e) {
                problems.add(path + ".webhook: an http(s) URL, e.g. https://hooks.example/aios");
                return Optional.empty();
            }
        }
        if (node.has("email")) {
            return Optional.of(new Rules.Channel(
                    path.substring("notify.".length()),
                    Optional.empty(),
                    Optional.of(node.path("email").asText())));
        }
        problems.add(path + ": say where to notify: webhook: URL or email: ADDRESS");
        return Optional.empty();
    }

    private Optional<Duration> duration(String path, String text) {
        var parsed = Durations.parse(text);
        if (parsed.isEmpty() || parsed.get().isNegative()) {
            problems.add(path + ": a duration such as 30m, 4h or 3d, not '" + text + "'");
        }
        return parsed;
    }
}
