package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.ApprovalStep;
import dev.aios.api.Event;
import dev.aios.api.Playbook;
import dev.aios.api.Trigger;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.Storage;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Autonomy suggestions: when an agent's outputs held by a gate were approved unchanged N times in a
 * row in some region (a segment, a confidence range, an amount range) with no rejection, the
 * operator finds a proposed gate in the inbox ("auto-approve draft-proposal for key-accounts when
 * confidence ≥ 0.85 and amount ≤ 4000: 24 of 24 approved unchanged in 30 days"); accepting it
 * (possibly edited) makes it a new policy version, declining it records that. Nothing widens
 * autonomy without the operator's accept.
 */
public final class Suggestions {
    private static final Logger LOG = LoggerFactory.getLogger(Suggestions.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** The playbook whose runs carry suggestions in the inbox, and the event that starts them. */
    public static final String PLAYBOOK = "aios-policy-suggestion";

    public static final String EVENT = "aios.policy.suggested";

    private final Storage storage;
    private final SuggestionStore store;
    private final PolicyState state;
    private final ExtensionHost host;
    private final InstantSource clock;

    public Suggestions(Storage storage, SuggestionStore store, PolicyState state, ExtensionHost host) {
        this.storage = storage;
        this.store = store;
        this.state = state;
        this.host = host;
        this.clock = host.clock();
    }

    /** The playbook: one approval step showing the suggestion. */
    public static Playbook playbook() {
        return Playbook.builder(PLAYBOOK)
                .trigger(new Trigger(EVENT, Optional.empty()))
                .step(new ApprovalStep(
                        "decide",
                        "Autonomy suggestion: accept it (approve), change it (approve with --edit), or decline it"
                                + " (reject)",
                        Optional.empty(),
                        Map.of(
                                "suggestion", "event.data.id",
                                "text", "event.data.text",
                                "gate", "event.data.gate"),
                        Optional.empty(),
                        Optional.empty()))
                .build();
    }

    /** After each answer: acts on a suggestion's own answer, or checks whether the agent earned one. */
    public void consider(Observer.Answer answer) {
        var own = store.byRun(answer.runId());
        if (own.isPresent()) {
            decided(own.get(), answer);
            return;
        }
        if (!(answer.kind().equals("review") || answer.kind().equals("draft"))) {
            return;
        }
        var facts = storage.read(c -> Sql.one(
                c,
                "SELECT rule, segments FROM policy_answers WHERE task_id = ?",
                r -> new String[] {r.getString(1), r.getString(2)},
                answer.taskId()));
        if (facts.isEmpty() || !facts.get()[0].startsWith("gate ")) {
            return; // only outputs a policy gate held can be let through by one
        }
        var rule = facts.get()[0].substring("gate ".length());
        var segment = firstSegment(facts.get()[1]);
        var policy = state.current().policy();
        var learning = policy.learning();
        var since = clock.instant().minus(learning.window());
        var points = storage.read(c -> Sql.query(
                c,
                "SELECT confidence, amount, outcome, segments FROM policy_answers WHERE agent = ? AND rule = ?"
                        + " AND answered_at >= ? AND outcome IN ('unchanged', 'edited', 'rejected', 'corrected')"
                        + " ORDER BY answered_at, task_id",
                r -> new Object[] {
                    DecisionStore.optionalDouble(r, "confidence"),
                    DecisionStore.optionalDouble(r, "amount"),
                    // a correction of an output that committed counts as a rejection
                    r.getString("outcome").equals("corrected") ? "rejected" : r.getString("outcome"),
                    firstSegment(r.getString("segments"))
                },
                answer.agent(),
                facts.get()[0],
                since));
        @SuppressWarnings("unchecked")
        var inSegment = points.stream()
                .filter(p -> p[3].equals(segment))
                .map(p -> new Regions.Point((Optional<Double>) p[0], (Optional<Double>) p[1], (String) p[2]))
                .toList();
        var region = Regions.earned(inSegment, learning.streak());
        if (region.isEmpty() || alreadySuggested(answer.agent(), rule, segment, region.get())) {
            return;
        }
        propose(answer.agent(), rule, segment, region.get(), learning.window());
    }

    private boolean alreadySuggested(String agent, String rule, String segment, Regions.Region region) {
        for (var s : store.of(agent, rule, segment)) {
            switch (s.status()) {
                case "proposed", "accepted" -> {
                    return true;
                }
                case "declined", "revoked" -> {
                    // asked again only once as many more answers in a row came since
                    return region.streak() < 2 * s.streak();
                }
                default -> {}
            }
        }
        return false;
    }

    private void propose(String agent, String rule, String segment, Regions.Region region, java.time.Duration window) {
        var id = "s-" + Long.toString(clock.millis(), 36) + "-"
                + Integer.toHexString((agent + rule + segment).hashCode());
        var text = new StringBuilder("auto-approve ").append(agent);
        if (!segment.isEmpty()) {
            text.append(" for ").append(segment);
        }
        var conditions = new java.util.ArrayList<String>();
        region.minConfidence().ifPresent(c -> conditions.add("confidence ≥ " + format(c)));
        region.maxAmount().ifPresent(a -> conditions.add("amount ≤ " + format(a)));
        if (!conditions.isEmpty()) {
            text.append(" when ").append(String.join(" and ", conditions));
        }
        text.append(": ")
                .append(region.unchanged())
                .append(" of ")
                .append(region.answered())
                .append(" approved unchanged in ")
                .append(Text.duration(window))
                .append(", the last ")
                .append(region.streak())
                .append(" in a row");
        var suggestion = new SuggestionStore.Suggestion(
                id,
                clock.instant(),
                agent,
                rule,
                segment,
                region.minConfidence(),
                region.minAmount(),
                region.maxAmount(),
                region.streak(),
                text.toString(),
                "proposed",
                Optional.empty(),
                Optional.empty(),
                "");
        store.add(suggestion);
        var data = JSON.objectNode().put("id", id).put("text", text.toString());
        data.set("gate", gate(suggestion));
        var accepted = host.send(new Event("policy-" + id, EVENT, "", "aios-policy", clock.instant(), data, "", ""));
        accepted.started().stream().findFirst().ifPresent(run -> store.inbox(id, run));
        LOG.info("suggested: {}", text);
    }

    /** The gate a suggestion becomes. */
    static ObjectNode gate(SuggestionStore.Suggestion s) {
        var when = new StringBuilder("agent == '" + s.agent() + "'");
        if (!s.segment().isEmpty()) {
            when.append(" && subject in segment('").append(s.segment()).append("')");
        }
        s.minConfidence().ifPresent(c -> when.append(" && confidence >= ").append(format(c)));
        s.minAmount().ifPresent(a -> when.append(" && amount >= ").append(format(a)));
        s.maxAmount().ifPresent(a -> when.append(" && amount <= ").append(format(a)));
        return JSON.objectNode()
                .put("name", "auto-" + s.agent() + (s.segment().isEmpty() ? "" : "-" + s.segment()) + "-" + s.id())
                .put("when", when.toString())
                .put("decide", "auto")
                .put("suggestion", s.id());
    }

    private void decided(SuggestionStore.Suggestion s, Observer.Answer answer) {
        if (!s.status().equals("proposed")) {
            return;
        }
        var now = clock.instant();
        if (answer.outcome().equals("rejected")) {
            store.answered(s.id(), "declined", Optional.empty(), now, answer.comment());
            return;
        }
        if (!(answer.outcome().equals("unchanged") || answer.outcome().equals("edited"))) {
            return;
        }
        var edit = answer.output().path("edit");
        var accepted = new SuggestionStore.Suggestion(
                s.id(),
                s.at(),
                s.agent(),
                s.rule(),
                s.segment(),
                edit.has("minConfidence")
                        ? Optional.of(edit.path("minConfidence").asDouble())
                        : s.minConfidence(),
                edit.has("minAmount") ? Optional.of(edit.path("minAmount").asDouble()) : s.minAmount(),
                edit.has("maxAmount") ? Optional.of(edit.path("maxAmount").asDouble()) : s.maxAmount(),
                s.streak(),
                s.text(),
                "accepted",
                s.runId(),
                Optional.empty(),
                "");
        var current = state.current();
        var document = (ObjectNode) current.policy().document().deepCopy();
        var gates = document.has("gates")
                ? (com.fasterxml.jackson.databind.node.ArrayNode) document.get("gates")
                : document.putArray("gates");
        int at = gates.size();
        for (int i = 0; i < gates.size(); i++) {
            if (gates.get(i).path("name").asText().equals(s.rule())) {
                at = i;
                break;
            }
        }
        gates.insert(at, gate(accepted));
        try {
            var version = state.change(
                    current.version(), document, "operator", "accepted suggestion " + s.id() + ": " + s.text());
            store.answered(s.id(), "accepted", Optional.of(version.version()), now, answer.comment());
        } catch (RuntimeException e) {
            LOG.warn("suggestion {} could not become policy: {}", s.id(), e.getMessage());
            store.answered(s.id(), "declined", Optional.empty(), now, "could not become policy: " + e.getMessage());
        }
    }

    private static String firstSegment(String json) {
        try {
            var segments = VersionStore.MAPPER.readTree(json);
            return segments.isEmpty() ? "" : segments.get(0).asText();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static String format(double value) {
        return value == Math.rint(value)
                ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.2f", value).replaceAll("0+$", "");
    }
}
