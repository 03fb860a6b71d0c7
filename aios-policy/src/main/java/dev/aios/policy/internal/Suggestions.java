package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.ApprovalStep;
import dev.aios.api.Event;
import dev.aios.api.Playbook;
import dev.aios.api.Trigger;
import dev.aios.kernel.Actor;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.Storage;
import dev.aios.policy.PolicyVersion;
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

    /** Every suggestion, newest first. */
    public java.util.List<SuggestionStore.Suggestion> all() {
        return store.all();
    }

    /**
     * One suggestion.
     *
     * @throws dev.aios.kernel.NotFoundException when there is none of that id
     */
    public SuggestionStore.Suggestion get(String id) {
        return store.get(id)
                .orElseThrow(() -> new dev.aios.kernel.NotFoundException(
                        "there is no autonomy suggestion '" + id + "'; list them with: aios policy suggestions"));
    }

    /** A suggestion as the API and the command line show it. */
    public static ObjectNode json(SuggestionStore.Suggestion s) {
        var line = JSON.objectNode()
                .put("id", s.id())
                .put("at", s.at().toString())
                .put("agent", s.agent())
                .put("gate", s.rule())
                .put("segment", s.segment())
                .put("text", s.text())
                .put("status", s.status())
                .put("note", s.note());
        s.runId().ifPresent(r -> line.put("run", r));
        s.version().ifPresent(v -> line.put("version", v));
        return line;
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
        var actor = host.audit().answeredBy(answer.taskId()).orElse(Actor.LOCAL);
        if (answer.outcome().equals("rejected")) {
            decline(s, actor, answer.comment());
            return;
        }
        if (!(answer.outcome().equals("unchanged") || answer.outcome().equals("edited"))) {
            return;
        }
        if (!host.audit().administers(actor)) {
            // Widening autonomy changes the policy, which takes an admin; the suggestion stays proposed.
            store.note(
                    s.id(),
                    "approved in the inbox by '" + actor + "', whose token may not change the policy; an admin"
                            + " accepts it with: aios policy suggestions accept " + s.id());
            LOG.warn(
                    "suggestion {} was approved by '{}', who may not change the policy; it stays proposed",
                    s.id(),
                    actor);
            return;
        }
        try {
            accept(s, answer.output().path("edit"), actor, answer.comment());
        } catch (RuntimeException e) {
            LOG.warn("suggestion {} could not become policy: {}", s.id(), e.getMessage());
            store.answered(
                    s.id(),
                    "declined",
                    Optional.empty(),
                    clock.instant(),
                    "could not become policy: " + e.getMessage());
        }
    }

    /**
     * Makes a proposed suggestion policy, its region narrowed by {@code edit} ({@code minConfidence},
     * {@code minAmount}, {@code maxAmount}): a new version whose gate lets the region's outputs commit
     * on their own, recorded in the audit log as {@code actor}'s.
     *
     * @throws dev.aios.kernel.ConflictException when it is no longer proposed
     */
    public synchronized PolicyVersion accept(
            SuggestionStore.Suggestion proposed, JsonNode edit, String actor, String comment) {
        var s = store.get(proposed.id()).orElse(proposed);
        if (!s.status().equals("proposed")) {
            throw new dev.aios.kernel.ConflictException(
                    "suggestion " + s.id() + " is " + s.status() + ", not proposed; nothing changed");
        }
        var accepted = new SuggestionStore.Suggestion(
                s.id(),
                s.at(),
                s.agent(),
                s.rule(),
                s.segment(),
                number(edit, "minConfidence").or(s::minConfidence),
                number(edit, "minAmount").or(s::minAmount),
                number(edit, "maxAmount").or(s::maxAmount),
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
        var version = state.change(
                current.version(),
                document,
                actor,
                "accepted suggestion " + s.id() + ": " + s.text(),
                new PolicyState.Cause(actor, "suggestion.accept", s.id()));
        store.answered(s.id(), "accepted", Optional.of(version.version()), clock.instant(), comment);
        return version;
    }

    /** Records that the operator declined a proposed suggestion; nothing changes in the policy. */
    public synchronized void decline(SuggestionStore.Suggestion proposed, String actor, String reason) {
        var s = store.get(proposed.id()).orElse(proposed);
        if (!s.status().equals("proposed")) {
            throw new dev.aios.kernel.ConflictException(
                    "suggestion " + s.id() + " is " + s.status() + ", not proposed; nothing changed");
        }
        store.answered(
                s.id(),
                "declined",
                Optional.empty(),
                clock.instant(),
                reason.isBlank() ? "declined by " + actor : reason);
    }

    private static Optional<Double> number(JsonNode edit, String field) {
        var value = edit.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isNumber()) {
            throw new dev.aios.kernel.InvalidInputException(
                    "'" + field + "' must be a number, was " + value + "; nothing changed");
        }
        return Optional.of(value.asDouble());
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
