package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.spi.Admission;
import dev.aios.kernel.spi.StepFacts;
import dev.aios.kernel.spi.StepPolicy;
import dev.aios.kernel.spi.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent step under the central policy: its flag decides whether the agent runs (or its fallback,
 * or the operator by hand, or the agent in the shadow), then the policy's verdict and the playbook's
 * own approval rule decide whether the output commits; the stricter wins. The flag state seen and
 * the verdict are noted in the step's provenance.
 */
final class PolicyGate {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyGate.class);

    /** Calls an agent for the step: by name, with a key suffix, in the shadow or not. */
    @FunctionalInterface
    interface Invoker {
        StepRunner.Called invoke(String agent, String keySuffix, Optional<Set<String>> shadowEffects);
    }

    private final StepPolicy policy;

    PolicyGate(StepPolicy policy) {
        this.policy = policy;
    }

    Outcome run(
            CompiledStep.AgentCall call,
            StepFacts facts,
            Invoker invoker,
            Function<StepRunner.Called.Done, Optional<Outcome>> playbookRule,
            String agentRef) {
        Admission admission;
        Optional<String> failure = Optional.empty();
        try {
            admission = policy.admit(facts);
        } catch (RuntimeException e) {
            LOG.warn("the step policy failed to admit step '{}' of run {}", facts.step(), facts.runId(), e);
            failure = Optional.of(describe(e));
            admission = new Admission.Run(Json.object().put("state", "unknown").put("error", failure.get()));
        }
        var flag = List.of(note("flag", admission.seen()));
        return switch (admission) {
            case Admission.Defer defer -> new Outcome.Deferred("limit", defer.why(), defer.until());
            case Admission.Run run ->
                judged(
                        facts,
                        call.next(),
                        invoker.invoke(call.agent(), "", Optional.empty()),
                        playbookRule,
                        flag,
                        failure);
            case Admission.Off off -> {
                if (call.fallback().isPresent()) {
                    var fallback = call.fallback().get();
                    var notes = new ArrayList<>(flag);
                    notes.add(note(
                            "fallback",
                            Json.object()
                                    .put("agent", fallback)
                                    .put("instead", call.agent())
                                    .put("why", off.why())));
                    var asFallback = new StepFacts(
                            facts.runId(),
                            facts.playbook(),
                            facts.step(),
                            facts.iteration(),
                            facts.subject(),
                            fallback,
                            facts.input());
                    yield judged(
                            asFallback,
                            call.next(),
                            invoker.invoke(fallback, ":" + fallback, Optional.empty()),
                            playbookRule,
                            notes,
                            failure);
                }
                yield new Outcome.Draft(
                        facts.input(),
                        "Do step '" + facts.step() + "' for " + who(facts) + " yourself: " + call.agent() + " is off",
                        off.why() + "; the step declares no fallback agent, so it is yours: approve it with the"
                                + " output it should have (--edit), or reject it",
                        Json.object(),
                        agentRef,
                        flag,
                        true,
                        Optional.empty());
            }
            case Admission.Shadow shadow -> shadowed(call, facts, invoker, shadow, flag, agentRef);
        };
    }

    /** Runs the agent in the shadow; the operator does the step, with the agent's output beside. */
    private Outcome shadowed(
            CompiledStep.AgentCall call,
            StepFacts facts,
            Invoker invoker,
            Admission.Shadow shadow,
            List<JsonNode> flag,
            String agentRef) {
        var notes = new ArrayList<>(flag);
        JsonNode output;
        switch (invoker.invoke(call.agent(), ":shadow", Optional.of(shadow.effects()))) {
            case StepRunner.Called.Done done -> {
                notes.addAll(done.notes());
                output = done.output();
            }
            case StepRunner.Called.Stopped stopped -> {
                switch (stopped.outcome()) {
                    case Outcome.Deferred deferred -> {
                        return deferred; // its connector is closed; the shadow run waits like any step
                    }
                    case Outcome.Failed failed -> output = Json.object().put("failed", failed.error());
                    case Outcome.Draft draft -> {
                        notes.addAll(draft.notes());
                        output = Json.object().set("draft", draft.draft());
                    }
                    default -> output = Json.object().put("failed", "the agent did not produce an output");
                }
            }
        }
        return new Outcome.Draft(
                facts.input(),
                "Do step '" + facts.step() + "' for " + who(facts) + " yourself: " + call.agent()
                        + " runs in the shadow",
                shadow.why() + "; the agent's output is shown beside for comparison and is not committed:"
                        + " approve the step with your own output (--edit), or reject it",
                Json.object(),
                agentRef,
                notes,
                true,
                Optional.of(output));
    }

    /** The playbook's rule and the policy's verdict over an agent's output: the stricter wins. */
    private Outcome judged(
            StepFacts facts,
            String next,
            StepRunner.Called called,
            Function<StepRunner.Called.Done, Optional<Outcome>> playbookRule,
            List<JsonNode> before,
            Optional<String> admitFailure) {
        if (!(called instanceof StepRunner.Called.Done done)) {
            var stopped = ((StepRunner.Called.Stopped) called).outcome();
            if (stopped instanceof Outcome.Draft draft) {
                return new Outcome.Draft(
                        draft.input(),
                        draft.title(),
                        draft.explanation(),
                        draft.draft(),
                        draft.agent(),
                        concat(before, draft.notes()),
                        draft.editOnly(),
                        draft.shadow());
            }
            return stopped;
        }
        var review = playbookRule.apply(done);
        Verdict verdict;
        if (admitFailure.isPresent()) {
            verdict = unavailable(admitFailure.get());
        } else {
            try {
                verdict = policy.judge(facts, done.output(), review.isPresent());
            } catch (RuntimeException e) {
                LOG.warn("the step policy failed to judge step '{}' of run {}", facts.step(), facts.runId(), e);
                verdict = unavailable(describe(e));
            }
        }
        var notes = concat(before, done.notes());
        notes.add(note("policy", verdict.seen()));
        return switch (verdict.decision()) {
            case BLOCK ->
                new Outcome.Review(
                        done.input(), done.output(), done.agent(), verdict.rule(), verdict.explanation(), notes, true);
            case APPROVE -> {
                if (review.isPresent() && review.get() instanceof Outcome.Review own) {
                    yield new Outcome.Review(
                            own.input(),
                            own.output(),
                            own.agent(),
                            own.rule() + "; " + verdict.rule(),
                            own.explanation() + "; " + verdict.explanation(),
                            notes);
                }
                yield new Outcome.Review(
                        done.input(), done.output(), done.agent(), verdict.rule(), verdict.explanation(), notes);
            }
            case AUTO -> {
                if (review.isPresent() && review.get() instanceof Outcome.Review own) {
                    yield new Outcome.Review(
                            own.input(), own.output(), own.agent(), own.rule(), own.explanation(), notes);
                }
                yield new Outcome.Completed(done.input(), done.output(), Optional.of(done.agent()), next, notes);
            }
        };
    }

    private static Verdict unavailable(String why) {
        return new Verdict(
                Verdict.Decision.APPROVE,
                "policy",
                "the policy could not be consulted (" + why + "), so the output waits for you",
                Json.object().put("decision", "approve").put("error", why));
    }

    private static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
        var all = new ArrayList<JsonNode>(a.size() + b.size() + 1);
        all.addAll(a);
        all.addAll(b);
        return all;
    }

    static JsonNode note(String kind, JsonNode detail) {
        var note = Json.object();
        note.put("kind", kind);
        note.set("detail", detail);
        return note;
    }

    private static String who(StepFacts facts) {
        return facts.subject().isEmpty() ? "run " + facts.runId() : facts.subject();
    }

    private static String describe(RuntimeException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
