package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.TaskView;
import dev.aios.kernel.spi.Admission;
import dev.aios.kernel.spi.Escalation;
import dev.aios.kernel.spi.StepFacts;
import dev.aios.kernel.spi.StepPolicy;
import dev.aios.kernel.spi.Verdict;
import dev.aios.policy.spi.Knowledge;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The kernel's view of the central policy: flags decide whether an agent runs, gates whether its
 * output commits, limits whether it may run now; every decision is kept for learning and noted in
 * the step's provenance with the policy version it came from.
 */
public final class CentralPolicy implements StepPolicy {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final PolicyState state;
    private final Knowledge knowledge;
    private final DecisionStore decisions;
    private final Limiter limiter;
    private final Escalator escalator;
    private final InstantSource clock;
    private final Set<String> shadowEffects;

    public CentralPolicy(
            PolicyState state,
            Knowledge knowledge,
            DecisionStore decisions,
            Limiter limiter,
            Escalator escalator,
            InstantSource clock,
            Set<String> shadowEffects) {
        this.state = state;
        this.knowledge = knowledge;
        this.decisions = decisions;
        this.limiter = limiter;
        this.escalator = escalator;
        this.clock = clock;
        this.shadowEffects = Set.copyOf(shadowEffects);
    }

    /** The subject's knowledge record, as segments see it ({@code {}} when there is none). */
    JsonNode record(CompiledPolicy policy, String subject) {
        if (subject.isEmpty()) {
            return JSON.objectNode();
        }
        return knowledge.record(policy.recordId(subject)).orElseGet(JSON::objectNode);
    }

    /** The segments {@code subject} is in under the policy in force. */
    public List<String> segmentsOf(String subject) {
        var policy = state.current().policy();
        return policy.segmentsOf(subject, record(policy, subject));
    }

    @Override
    public Admission admit(StepFacts step) {
        var current = state.current();
        var policy = current.policy();
        var in = policy.segmentsOf(step.subject(), record(policy, step.subject()));
        var flag = policy.flag(step.agent(), in);
        ObjectNode seen = JSON.objectNode()
                .put("agent", step.agent())
                .put("state", flag.state().wire())
                .put("policyVersion", current.version());
        if (!flag.segment().isEmpty()) {
            seen.put("segment", flag.segment());
        }
        String who = "agent " + step.agent() + " is "
                + (flag.state() == Rules.FlagState.OFF ? "switched off" : "in the shadow")
                + (flag.segment().isEmpty() ? "" : " for segment " + flag.segment()) + " (policy version "
                + current.version() + ")";
        return switch (flag.state()) {
            case OFF -> new Admission.Off(who, seen);
            case SHADOW -> new Admission.Shadow(who, shadowEffects, seen);
            case ON -> {
                var deferred = limiter.admit(policy, step, clock.instant());
                if (deferred.isPresent()) {
                    seen.put("limit", deferred.get().limit());
                    yield new Admission.Defer(
                            deferred.get().why(), deferred.get().until(), seen);
                }
                yield new Admission.Run(seen);
            }
        };
    }

    @Override
    public Verdict judge(StepFacts step, JsonNode output, boolean playbookReview) {
        var current = state.current();
        var policy = current.policy();
        var record = record(policy, step.subject());
        var in = policy.segmentsOf(step.subject(), record);
        var profile = policy.profile(step.agent());
        var both = JSON.objectNode();
        both.set("input", step.input());
        both.set("output", output);
        var confidence = Text.number(both, profile.confidence());
        var amount = Text.number(both, profile.amount());
        var vars = CompiledPolicy.vars(step.agent(), step.subject(), step.input(), output, confidence, amount, record);
        var seen = policy.decide(vars, in);
        var decision = seen.decision();
        var gate = seen.gate();
        var note = JSON.objectNode()
                .put("decision", wire(decision))
                .put("rule", gate.map(Rules.Gate::name).orElse(""))
                .put("policyVersion", current.version());
        note.set("segments", DecisionStore.json(in));
        confidence.ifPresent(c -> note.put("confidence", c));
        amount.ifPresent(a -> note.put("amount", a));
        gate.flatMap(Rules.Gate::suggestion).ifPresent(s -> note.put("suggestion", s));
        seen.error().ifPresent(e -> note.put("error", e));
        decisions.put(new DecisionStore.Decision(
                step.runId(),
                step.step(),
                step.iteration(),
                clock.instant(),
                step.playbook().name(),
                step.agent(),
                step.subject(),
                in,
                confidence,
                amount,
                wire(decision),
                gate.map(Rules.Gate::name).orElse(""),
                gate.flatMap(Rules.Gate::suggestion),
                current.version(),
                Optional.empty()));
        String rule = gate.map(g -> "gate " + g.name()).orElse("");
        String explanation = gate.map(g -> seen.error().isPresent()
                        ? "policy gate " + g.name() + " could not be evaluated ("
                                + seen.error().get() + "), so the output waits for you"
                        : "policy gate " + g.name() + " (`" + g.when().source() + "`) says " + wire(decision)
                                + " (policy version " + current.version() + ")")
                .orElse("no policy gate applies");
        return new Verdict(decision, rule, explanation, note);
    }

    @Override
    public Optional<Instant> escalateAt(StepFacts step, String taskKind) {
        return escalator.plan(state.current(), step, taskKind, this);
    }

    @Override
    public Escalation escalate(TaskView task) {
        return escalator.escalate(state.current(), task, this);
    }

    static String wire(Verdict.Decision decision) {
        return decision.name().toLowerCase(java.util.Locale.ROOT);
    }
}
