package dev.aios.kernel.internal.whatif;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.WhatIfReport.Divergence.Kind;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.whatif.Simulation.Flow;
import dev.aios.kernel.internal.whatif.Simulation.Frame;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The steps whose way on depends on an answer, an event or a condition: approval, await, branch. */
final class Gates {
    private Gates() {}

    static Object approval(
            Simulation sim,
            CompiledStep.Approval approval,
            String path,
            int iteration,
            Optional<Recording.Done> done,
            Frame frame,
            Map<String, JsonNode> vars) {
        boolean asks = approval.when().isEmpty() || approval.when().get().test(vars);
        boolean recordedAsked = done.map(d -> d.output().path("asked").asBoolean(true))
                .orElse(sim.recording().rejected(path, iteration));
        if (!asks) {
            sim.counted();
            if (recordedAsked) {
                sim.diverge(
                        path,
                        Kind.APPROVAL_CHANGED,
                        "would go on without asking you, where you were asked",
                        null,
                        null);
            }
            var output = Json.object();
            output.put("approved", true);
            output.put("asked", false);
            frame.steps.set(approval.id(), output);
            return approval.next();
        }
        if (done.isPresent() && recordedAsked) {
            sim.counted();
            var output = done.get().output();
            frame.steps.set(approval.id(), output);
            if (output.path("approved").asBoolean(false)) {
                return approval.next();
            }
            if (approval.onReject().isPresent()) {
                return approval.onReject().get();
            }
            sim.diverge(
                    path,
                    Kind.OUTCOME_CHANGED,
                    "your rejection would undo the run, where it went on to step '"
                            + done.get().next() + "'",
                    null,
                    null);
            return Flow.ENDED;
        }
        if (done.isEmpty() && recordedAsked) {
            sim.counted();
            if (approval.onReject().isPresent()) {
                sim.diverge(
                        path,
                        Kind.BRANCH,
                        "your rejection would lead to step '"
                                + approval.onReject().get() + "', where the run was undone",
                        null,
                        Simulation.text(approval.onReject().get()));
                var output = Json.object();
                output.put("approved", false);
                frame.steps.set(approval.id(), output);
                return approval.onReject().get();
            }
            return Flow.ENDED;
        }
        return sim.notRecorded(path, "it asks you: " + approval.title());
    }

    static Object await(
            Simulation sim,
            CompiledStep.Await await,
            String path,
            Optional<Recording.Done> done,
            Frame frame,
            Map<String, JsonNode> vars) {
        if (done.isEmpty()) {
            return sim.notRecorded(path, "it waits for event " + await.eventType());
        }
        sim.counted();
        if (done.get().timedOut()) {
            frame.steps.set(await.id(), Json.object());
            return await.onTimeout();
        }
        var event = done.get().output();
        var withEvent = new HashMap<>(vars);
        withEvent.put("event", event);
        if (!event.path("type").asText().equals(await.eventType())
                || !await.match().test(withEvent)) {
            sim.diverge(
                    path,
                    Kind.BRANCH,
                    "would not take event " + event.path("id").asText() + " ("
                            + event.path("type").asText() + ") that the run took here; it would wait for another",
                    event,
                    null);
            return Flow.STOPPED;
        }
        frame.steps.set(await.id(), event);
        return await.next();
    }

    static Object branch(
            Simulation sim,
            CompiledStep.Branch branch,
            String path,
            Optional<Recording.Done> done,
            Frame frame,
            Map<String, JsonNode> vars) {
        String target = branch.otherwise();
        String because = "otherwise";
        for (var option : branch.cases()) {
            if (option.when().test(vars)) {
                target = option.target();
                because = option.when().source();
                break;
            }
        }
        sim.counted();
        if (done.isPresent()) {
            var recorded = done.get().output().path("target").asText(done.get().next());
            if (!recorded.equals(target)) {
                sim.diverge(
                        path,
                        Kind.BRANCH,
                        "would go to step '" + target + "' (" + because + ") instead of '" + recorded + "'",
                        Simulation.text(recorded),
                        Simulation.text(target));
            }
        }
        var output = Json.object();
        output.put("target", target);
        output.put("because", because);
        frame.steps.set(branch.id(), output);
        return target;
    }
}
