package dev.aios.kernel.internal.whatif;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.WhatIfReport.Divergence.Kind;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.playbook.StepPaths;
import dev.aios.kernel.internal.whatif.Simulation.Flow;
import dev.aios.kernel.internal.whatif.Simulation.Frame;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The steps that hold other steps: parallel branches, forEach iterations, conversation turns. */
final class Blocks {
    private Blocks() {}

    static Object parallel(
            Simulation sim, CompiledStep.Parallel parallel, String path, Optional<Recording.Done> done, Frame frame) {
        var recorded = done.map(Recording.Done::output);
        var output = Json.object();
        int finished = 0;
        for (var branch : parallel.branches().entrySet()) {
            var scope = StepPaths.branch(path, branch.getKey());
            if (recorded.isPresent() && !recorded.get().has(branch.getKey())) {
                // cancelled in the recorded run when others won the join; how far it got is timing
                sim.visitWithin(StepPaths.staticPath(scope));
                continue;
            }
            var inner = new Frame(frame);
            var flow = sim.run(scope, branch.getValue(), inner);
            if (flow != Flow.DONE) {
                return flow;
            }
            output.set(branch.getKey(), inner.steps);
            finished++;
        }
        int required = parallel.join().required(parallel.branches().size());
        if (finished < required) {
            sim.diverge(
                    path,
                    Kind.COUNT_CHANGED,
                    "would wait for " + required + " branches to finish (join " + parallel.join() + "), where "
                            + finished + " finished in the recorded run",
                    null,
                    null);
            return Flow.STOPPED;
        }
        sim.counted();
        frame.steps.set(parallel.id(), output);
        return parallel.next();
    }

    static Object forEach(
            Simulation sim,
            CompiledStep.ForEach forEach,
            String path,
            Optional<Recording.Done> done,
            Frame frame,
            Map<String, JsonNode> vars) {
        var items = forEach.items().eval(vars);
        if (!items.isArray()) {
            sim.diverge(
                    path,
                    Kind.EVALUATION_FAILED,
                    "`" + forEach.items().source() + "` yields " + items.getNodeType()
                            + " on the recorded data, not a list",
                    null,
                    items);
            return Flow.STOPPED;
        }
        var recordedCount = done.map(d -> d.output().size());
        if (recordedCount.isPresent() && recordedCount.get() != items.size()) {
            sim.diverge(
                    path,
                    Kind.COUNT_CHANGED,
                    "would run over " + items.size() + " items instead of " + recordedCount.get(),
                    Json.mapper().getNodeFactory().numberNode(recordedCount.get()),
                    Json.mapper().getNodeFactory().numberNode(items.size()));
        }
        var collected = Json.mapper().createArrayNode();
        for (int i = 0; i < items.size(); i++) {
            var inner = new Frame(frame);
            inner.locals.put(forEach.as(), items.get(i));
            var flow = sim.run(StepPaths.iteration(path, i), forEach.first(), inner);
            if (flow != Flow.DONE) {
                return flow;
            }
            collected.add(
                    forEach.collect().isPresent() ? forEach.collect().get().eval(sim.varsOf(inner)) : inner.steps);
        }
        sim.counted();
        frame.steps.set(forEach.id(), collected);
        return forEach.next();
    }

    static Object conversation(
            Simulation sim,
            CompiledStep.Conversation conversation,
            String path,
            Optional<Recording.Done> done,
            Frame frame,
            Map<String, JsonNode> vars) {
        var recorded = done.map(d -> d.output().path("transcript"));
        var transcript = Json.mapper().createArrayNode();
        var cost = BigDecimal.ZERO;
        String endedBy;
        for (int turn = 0; ; turn++) {
            var scoped = new HashMap<>(vars);
            scoped.put("transcript", transcript);
            scoped.put("last", transcript.isEmpty() ? Json.mapper().nullNode() : transcript.get(transcript.size() - 1));
            if (turn > 0 && conversation.until().test(scoped)) {
                endedBy = "until";
                break;
            }
            if (turn >= conversation.maxTurns()) {
                endedBy = "maxTurns";
                break;
            }
            if (conversation.budget().isPresent()
                    && cost.compareTo(conversation.budget().get()) >= 0) {
                endedBy = "budget";
                break;
            }
            var speaker = conversation.speaker(turn);
            var turnPath = StepPaths.child(StepPaths.iteration(path, turn), speaker);
            sim.visit(turnPath);
            var said = sim.recording().done(turnPath, 0);
            if (said.isEmpty()) {
                if (recorded.isPresent() && turn >= recorded.get().size()) {
                    sim.diverge(
                            path,
                            Kind.COUNT_CHANGED,
                            "would take more than the " + recorded.get().size() + " turns recorded",
                            null,
                            null);
                    return Flow.STOPPED;
                }
                return sim.notRecorded(turnPath, "it is " + speaker + "'s turn");
            }
            var call = (CompiledStep.AgentCall) sim.against().step(turnPath);
            sim.counted();
            sim.compareInput(turnPath, said.get().input(), Simulation.evalAll(call.input(), scoped));
            int index = turn;
            var costUsd = recorded.map(r -> recordedCost(r, index)).orElse(BigDecimal.ZERO);
            var entry = transcript.addObject();
            entry.put("turn", turn);
            entry.put("speaker", speaker);
            entry.put("agent", call.agent());
            entry.set("output", said.get().output());
            entry.put("costUsd", costUsd.toPlainString());
            cost = cost.add(costUsd);
        }
        if (recorded.isPresent() && transcript.size() != recorded.get().size()) {
            sim.diverge(
                    path,
                    Kind.COUNT_CHANGED,
                    "would end after " + transcript.size() + " turns (" + endedBy + ") instead of "
                            + recorded.get().size(),
                    Json.mapper().getNodeFactory().numberNode(recorded.get().size()),
                    Json.mapper().getNodeFactory().numberNode(transcript.size()));
        }
        sim.counted();
        var output = Json.object();
        output.set("transcript", transcript);
        output.put("turns", transcript.size());
        output.put("costUsd", cost.toPlainString());
        output.put("endedBy", endedBy);
        frame.steps.set(conversation.id(), output);
        return conversation.next();
    }

    private static BigDecimal recordedCost(JsonNode transcript, int turn) {
        var text = transcript.path(turn).path("costUsd").asText("0");
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return BigDecimal.ZERO;
        }
    }
}
