package dev.aios.kernel.internal.whatif;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Step;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.WhatIfReport;
import dev.aios.kernel.WhatIfReport.Divergence;
import dev.aios.kernel.WhatIfReport.Divergence.Kind;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.cel.CelException;
import dev.aios.kernel.internal.cel.Expression;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.playbook.StepPaths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Feeds a run's {@link Recording} to another version of its playbook: walks the other version's
 * steps, evaluates its expressions over the recorded data, takes each agent's recorded output
 * instead of calling it, and notes every {@link Divergence}. Calls no agent and no connector and
 * writes nothing.
 */
public final class Simulation {
    /** The most divergences a report lists; a forEach over thousands of items could give more. */
    static final int MAX_DIVERGENCES = 200;

    enum Flow {
        /** The list of steps reached its end. */
        DONE,
        /** The other version needs something the run never recorded. */
        STOPPED,
        /** The run ended here as recorded (e.g. the operator rejected the output). */
        ENDED
    }

    private final Recording recording;
    private final CompiledPlaybook against;
    private final List<Divergence> divergences = new ArrayList<>();
    private final Set<String> visited = new HashSet<>();
    private final Map<String, Integer> entered = new HashMap<>();
    private final ObjectNode runVar = Json.object();
    private int compared;
    private int unlisted;

    private Simulation(Recording recording, CompiledPlaybook against) {
        this.recording = recording;
        this.against = against;
        runVar.put("id", recording.runId);
        runVar.put("subject", recording.subject);
        runVar.put("playbook", against.name());
        runVar.put("version", against.version());
        runVar.put("startedAt", recording.startedAt.toString());
    }

    /** Replays {@code recording} against {@code against}. */
    public static WhatIfReport run(Recording recording, CompiledPlaybook against) {
        var simulation = new Simulation(recording, against);
        var flow = simulation.sequence("", against.firstStep(), new Frame(null));
        return simulation.report(flow);
    }

    private WhatIfReport report(Flow flow) {
        if (flow == Flow.DONE && recording.status != RunStatus.COMPLETED) {
            diverge(
                    "",
                    Kind.OUTCOME_CHANGED,
                    "the run would complete, where it ended " + recording.status.wire(),
                    text(recording.status.wire()),
                    text(RunStatus.COMPLETED.wire()));
        }
        if (flow != Flow.STOPPED) {
            for (var path : recording.ran()) {
                if (!visited.contains(path)) {
                    diverge(
                            path,
                            Kind.STEP_NOT_REACHED,
                            "step '" + path + "' ran in the recorded run but would not run under version "
                                    + against.version(),
                            null,
                            null);
                }
            }
        }
        var listed = new ArrayList<>(divergences);
        if (unlisted > 0) {
            listed.add(new Divergence(
                    "", Kind.COUNT_CHANGED, "… and " + unlisted + " more divergences not listed", null, null));
        }
        String outcome = flow == Flow.STOPPED ? "stopped" : divergences.isEmpty() ? "same" : "diverges";
        return new WhatIfReport(
                recording.runId,
                recording.playbook,
                recording.version,
                against.version(),
                recording.status.wire(),
                outcome,
                compared,
                listed);
    }

    /** Where expressions look up step outputs and locals: a scope and the scopes around it. */
    static final class Frame {
        final Frame parent;
        final ObjectNode steps = Json.object();
        final Map<String, JsonNode> locals = new HashMap<>();

        Frame(Frame parent) {
            this.parent = parent;
        }
    }

    private Map<String, JsonNode> vars(Frame frame) {
        var chain = new ArrayList<Frame>();
        for (var f = frame; f != null; f = f.parent) {
            chain.addFirst(f);
        }
        var steps = Json.object();
        var vars = new HashMap<String, JsonNode>();
        for (var f : chain) {
            steps.setAll(f.steps);
            vars.putAll(f.locals);
        }
        vars.put("event", recording.trigger);
        vars.put("trigger", recording.trigger);
        vars.put("run", runVar);
        vars.put("steps", steps);
        return vars;
    }

    private Flow sequence(String scope, String first, Frame frame) {
        String at = first;
        while (!at.equals(Step.END)) {
            var path = StepPaths.child(scope, at);
            int iteration = entered.merge(path, 1, Integer::sum) - 1;
            visited.add(StepPaths.staticPath(path));
            var result = step(against.step(path), path, iteration, frame);
            if (result instanceof Flow flow) {
                return flow;
            }
            at = (String) result;
        }
        return Flow.DONE;
    }

    /** The id of the step to go to next, or the {@link Flow} that stops the list. */
    private Object step(CompiledStep step, String path, int iteration, Frame frame) {
        var done = recording.done(path, iteration);
        var vars = vars(frame);
        try {
            return switch (step) {
                case CompiledStep.AgentCall call -> agent(call, path, iteration, done, frame, vars);
                case CompiledStep.Approval approval ->
                    Gates.approval(this, approval, path, iteration, done, frame, vars);
                case CompiledStep.Wait wait -> {
                    compared++;
                    frame.steps.set(step.id(), done.map(Recording.Done::output).orElse(Json.object()));
                    yield wait.next();
                }
                case CompiledStep.Await await -> Gates.await(this, await, path, done, frame, vars);
                case CompiledStep.Branch branch -> Gates.branch(this, branch, path, done, frame, vars);
                case CompiledStep.Emit emit -> {
                    var input = Json.object();
                    input.put("type", emit.type());
                    input.put(
                            "subject",
                            emit.subject().isPresent()
                                    ? emit.subject().get().eval(vars).asText()
                                    : recording.subject);
                    input.set("data", evalAll(emit.data(), vars));
                    yield sideEffect(step, path, input, done, frame);
                }
                case CompiledStep.Send send -> {
                    var input = Json.object();
                    input.put("agent", send.agent());
                    input.put(
                            "subject",
                            send.subject().isPresent()
                                    ? send.subject().get().eval(vars).asText()
                                    : recording.subject);
                    input.set("message", evalAll(send.message(), vars));
                    yield sideEffect(step, path, input, done, frame);
                }
                case CompiledStep.Call call -> {
                    var input = evalAll(call.input(), vars);
                    if (done.isEmpty()) {
                        yield notRecorded(path, "it starts a run of playbook '" + call.playbook() + "'");
                    }
                    compared++;
                    compareInput(path, done.get().input(), input);
                    frame.steps.set(step.id(), done.get().output());
                    yield call.next();
                }
                case CompiledStep.Parallel parallel -> Blocks.parallel(this, parallel, path, done, frame);
                case CompiledStep.ForEach forEach -> Blocks.forEach(this, forEach, path, done, frame, vars);
                case CompiledStep.Conversation conversation ->
                    Blocks.conversation(this, conversation, path, done, frame, vars);
            };
        } catch (CelException e) {
            diverge(
                    path,
                    Kind.EVALUATION_FAILED,
                    "an expression of version " + against.version() + " fails on the recorded data: " + e.getMessage(),
                    null,
                    null);
            return Flow.STOPPED;
        }
    }

    private Object agent(
            CompiledStep.AgentCall call,
            String path,
            int iteration,
            Optional<Recording.Done> done,
            Frame frame,
            Map<String, JsonNode> vars) {
        var input = evalAll(call.input(), vars);
        if (done.isEmpty()) {
            if (recording.rejected(path, iteration)) {
                compared++;
                return Flow.ENDED;
            }
            return notRecorded(path, "it calls agent '" + call.agent() + "'");
        }
        compared++;
        var recorded = done.get();
        compareInput(path, recorded.input(), input);
        var recordedAgent =
                recorded.agent().map(a -> a.substring(0, a.lastIndexOf('@') < 0 ? a.length() : a.lastIndexOf('@')));
        if (recordedAgent.isPresent() && !recordedAgent.get().equals(call.agent())) {
            diverge(
                    path,
                    Kind.AGENT_CHANGED,
                    "would call agent '" + call.agent() + "' instead of '" + recordedAgent.get()
                            + "'; the recorded output of '" + recordedAgent.get() + "' is used",
                    text(recordedAgent.get()),
                    text(call.agent()));
        }
        boolean wouldReview =
                call.approval().isPresent() && rule(call.approval().get(), input, recorded.output());
        boolean reviewed = recording.reviewed(path, iteration);
        if (wouldReview != reviewed) {
            diverge(
                    path,
                    Kind.APPROVAL_CHANGED,
                    wouldReview
                            ? "the output would wait for your review, which it did not"
                            : "the output would go on without your review, which it waited for",
                    null,
                    null);
        }
        frame.steps.set(call.id(), recorded.output());
        return call.next();
    }

    private static boolean rule(Expression rule, JsonNode input, JsonNode output) {
        try {
            return rule.test(Map.of("input", input, "output", output));
        } catch (CelException e) {
            return true; // an approval rule that cannot be evaluated holds the output, as the engine does
        }
    }

    /** A step that needs nothing recorded to go on (an emit, a send): compares what it would do. */
    private Object sideEffect(
            CompiledStep step, String path, ObjectNode input, Optional<Recording.Done> done, Frame frame) {
        compared++;
        if (done.isEmpty()) {
            diverge(
                    path,
                    Kind.STEP_ADDED,
                    "would " + step.kind() + " " + describe(input) + ", which the recorded run did not",
                    null,
                    input);
            frame.steps.set(step.id(), Json.object());
        } else {
            compareInput(path, done.get().input(), input);
            frame.steps.set(step.id(), done.get().output());
        }
        return step.next();
    }

    private static String describe(ObjectNode input) {
        return input.has("type")
                ? "event " + input.path("type").asText()
                : "a message to " + input.path("agent").asText();
    }

    Flow notRecorded(String path, String what) {
        diverge(
                path,
                Kind.STEP_NOT_RECORDED,
                "version " + against.version() + " runs step '" + path + "' here (" + what + "), which the recorded"
                        + " run never did; the replay cannot go on without its outcome",
                null,
                null);
        return Flow.STOPPED;
    }

    void compareInput(String path, JsonNode recorded, JsonNode wouldBe) {
        if (recorded != null && !Values.same(recorded, wouldBe)) {
            diverge(path, Kind.INPUT_CHANGED, "would get " + Values.difference(recorded, wouldBe), recorded, wouldBe);
        }
    }

    void diverge(String path, Kind kind, String detail, JsonNode recorded, JsonNode wouldBe) {
        if (divergences.size() >= MAX_DIVERGENCES) {
            unlisted++;
            return;
        }
        divergences.add(new Divergence(path, kind, detail, recorded, wouldBe));
    }

    void counted() {
        compared++;
    }

    /** Notes that the other version reaches the step at {@code path}. */
    void visit(String path) {
        visited.add(StepPaths.staticPath(path));
    }

    /** Notes as reached every recorded step inside {@code scope} (a static path), e.g. a branch cancelled as recorded. */
    void visitWithin(String scope) {
        recording.ran().stream().filter(p -> StepPaths.within(p, scope)).forEach(visited::add);
    }

    Map<String, JsonNode> varsOf(Frame frame) {
        return vars(frame);
    }

    Flow run(String scope, String first, Frame frame) {
        return sequence(scope, first, frame);
    }

    Recording recording() {
        return recording;
    }

    CompiledPlaybook against() {
        return against;
    }

    static ObjectNode evalAll(Map<String, Expression> expressions, Map<String, JsonNode> vars) {
        var out = Json.object();
        expressions.forEach((field, expression) -> out.set(field, expression.eval(vars)));
        return out;
    }

    static JsonNode text(String value) {
        return Json.mapper().getNodeFactory().textNode(value);
    }
}
