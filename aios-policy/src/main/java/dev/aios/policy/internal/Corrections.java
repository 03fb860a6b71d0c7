package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Memory;
import dev.aios.kernel.spi.Storage;
import dev.aios.kernel.spi.SubjectCipher;
import dev.aios.policy.PolicyException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Corrections of outputs that already committed: the operator says what an agent step's output
 * should have been. The correction is kept as an answer (outcome {@code corrected}) and as an
 * example for the agent; when the output had committed on its own through an accepted autonomy
 * suggestion, that suggestion is revoked (its gate leaves the policy, as a new version) and the
 * revocation is reported in the inbox.
 */
public final class Corrections {
    private static final Logger LOG = LoggerFactory.getLogger(Corrections.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** What the operator says: the step's input and output as committed, and what it should have been. */
    public record Correction(
            String runId,
            String step,
            JsonNode input,
            JsonNode original,
            JsonNode corrected,
            String reason,
            String author) {}

    private final Storage storage;
    private final DecisionStore decisions;
    private final SuggestionStore suggestions;
    private final PolicyState state;
    private final Anomalies notices;
    private final Supplier<Optional<Memory>> memory;
    private final SubjectCipher cipher;
    private final InstantSource clock;

    public Corrections(
            Storage storage,
            DecisionStore decisions,
            SuggestionStore suggestions,
            PolicyState state,
            Anomalies notices,
            Supplier<Optional<Memory>> memory,
            SubjectCipher cipher,
            InstantSource clock) {
        this.storage = storage;
        this.decisions = decisions;
        this.suggestions = suggestions;
        this.state = state;
        this.notices = notices;
        this.memory = memory;
        this.cipher = cipher;
        this.clock = clock;
    }

    /**
     * Records {@code correction}; returns what came of it: {@code {"run", "step", "agent",
     * "committed", "changes", "revoked": {…} | null}}.
     *
     * @throws PolicyException when the policy never decided that step
     */
    public ObjectNode correct(Correction correction) {
        var decision = decisions
                .latest(correction.runId(), correction.step())
                .orElseThrow(() -> new PolicyException("step '" + correction.step() + "' of run " + correction.runId()
                        + " is not an agent step the policy decided on; only agent outputs can be corrected"
                        + " (see the run's steps with: aios run show " + correction.runId() + ")"));
        if (correction.corrected().equals(correction.original())) {
            throw new PolicyException("the corrected output is the same as the committed one; nothing to correct");
        }
        var now = clock.instant();
        var taskId = "correction:" + decision.runId() + "/" + decision.step() + "/" + decision.iteration();
        var changes = JsonDiff.of(correction.original(), correction.corrected());
        var kept = JSON.objectNode();
        kept.set("input", correction.input());
        kept.set("proposed", correction.original());
        var change = JSON.objectNode();
        change.set("diff", changes);
        change.put("comment", correction.reason());
        change.put("author", correction.author());
        // Counted against the gate the suggestion was carved out of, so that it is not suggested again soon.
        var rule = decision.suggestion()
                .flatMap(suggestions::get)
                .map(SuggestionStore.Suggestion::rule)
                .or(() -> Optional.of(decision.rule()).filter(r -> !r.isEmpty()))
                .map(r -> "gate " + r)
                .orElse("");
        storage.write(c -> {
            AnswerStore.opened(
                    c,
                    new AnswerStore.Opened(
                            taskId,
                            decision.runId(),
                            decision.step(),
                            decision.iteration(),
                            "correction",
                            decision.playbook(),
                            decision.agent(),
                            decision.subject(),
                            rule,
                            decision.segments(),
                            decision.confidence(),
                            decision.amount(),
                            now,
                            seal(decision.subject(), kept)));
            AnswerStore.resolved(c, taskId, now, "corrected", "corrected", seal(decision.subject(), change));
            return null;
        });
        Examples.remember(
                memory.get(),
                new Observer.Answer(
                        taskId,
                        decision.runId(),
                        decision.step(),
                        "correction",
                        decision.agent(),
                        decision.subject(),
                        "edited",
                        correction.input(),
                        correction.original(),
                        correction.corrected(),
                        correction.reason()));
        var report = JSON.objectNode()
                .put("run", decision.runId())
                .put("step", decision.step())
                .put("agent", decision.agent())
                .put("committed", decision.committed().orElse("by the operator"));
        report.set("changes", changes);
        report.putNull("revoked");
        if (decision.committed().filter("auto"::equals).isPresent()
                && decision.suggestion().isPresent()) {
            revoke(decision.suggestion().get(), decision, correction, changes).ifPresent(r -> report.set("revoked", r));
        }
        return report;
    }

    private Optional<ObjectNode> revoke(
            String id, DecisionStore.Decision decision, Correction correction, ArrayNode changes) {
        var suggestion = suggestions.get(id);
        if (suggestion.isEmpty() || !suggestion.get().status().equals("accepted")) {
            return Optional.empty();
        }
        var why = "the output of step " + decision.step() + " in run " + decision.runId()
                + " committed on its own through it and was corrected"
                + (correction.reason().isBlank() ? "" : ": " + correction.reason());
        Optional<Integer> version = Optional.empty();
        var actor = dev.aios.kernel.Actor.current();
        synchronized (state) {
            var current = state.current();
            var document = (ObjectNode) current.policy().document().deepCopy();
            if (document.path("gates").isArray()) {
                var gates = (ArrayNode) document.get("gates");
                boolean removed = false;
                for (int i = gates.size() - 1; i >= 0; i--) {
                    if (gates.get(i).path("suggestion").asText().equals(id)) {
                        gates.remove(i);
                        removed = true;
                    }
                }
                if (removed) {
                    version = Optional.of(state.change(
                                    current.version(),
                                    document,
                                    correction.author(),
                                    "revoked suggestion " + id + " ("
                                            + suggestion.get().text() + "): " + why,
                                    new PolicyState.Cause(actor, "suggestion.revoke", id))
                            .version());
                }
            }
        }
        suggestions.answered(id, "revoked", version, clock.instant(), why);
        var text = "Autonomy revoked for " + decision.agent() + ": \""
                + suggestion.get().text() + "\" no longer"
                + " applies because " + why + ". Its outputs go to the operator again"
                + version.map(v -> " (policy version " + v + ")").orElse("") + ".";
        var detail = JSON.objectNode()
                .put("suggestion", id)
                .put("run", decision.runId())
                .put("step", decision.step())
                .put("agent", decision.agent());
        version.ifPresent(v -> detail.put("version", v));
        detail.set("changes", changes);
        try {
            notices.open(
                    "suggestion:" + id,
                    "revoked",
                    0,
                    0,
                    text,
                    detail,
                    state.current().policy().alerts().channel());
        } catch (RuntimeException e) {
            LOG.warn("the revocation of suggestion {} could not be put in the inbox: {}", id, e.getMessage());
        }
        var out = JSON.objectNode().put("suggestion", id).put("text", text);
        version.ifPresent(v -> out.put("version", v));
        return Optional.of(out);
    }

    private byte[] seal(String subject, JsonNode json) {
        return cipher.seal(subject, VersionStore.text(json).getBytes(StandardCharsets.UTF_8));
    }
}
