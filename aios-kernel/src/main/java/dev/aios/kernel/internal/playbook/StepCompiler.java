package dev.aios.kernel.internal.playbook;

import dev.aios.api.AgentStep;
import dev.aios.api.ApprovalStep;
import dev.aios.api.AwaitStep;
import dev.aios.api.BranchStep;
import dev.aios.api.CallStep;
import dev.aios.api.ConversationStep;
import dev.aios.api.EmitStep;
import dev.aios.api.ForEachStep;
import dev.aios.api.ParallelStep;
import dev.aios.api.SendStep;
import dev.aios.api.Step;
import dev.aios.api.StepOptions;
import dev.aios.api.WaitStep;
import dev.aios.kernel.internal.playbook.Checker.Timing;
import dev.aios.kernel.internal.playbook.Checker.Yields;
import dev.aios.kernel.internal.playbook.PlaybookCompiler.Compilation;
import dev.aios.kernel.internal.playbook.PlaybookCompiler.GraphCollector;
import dev.aios.kernel.internal.playbook.PlaybookCompiler.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Compiles one step of a list: its expressions, its targets, and the lists nested in it. */
final class StepCompiler {
    private final Compilation compilation;
    private final Checker check;
    private final Scope scope;
    private final GraphCollector graph;

    StepCompiler(Compilation compilation, Scope scope, GraphCollector graph) {
        this.compilation = compilation;
        this.check = compilation.check;
        this.scope = scope;
        this.graph = graph;
    }

    /** The compiled step {@code steps[i]}, or empty when it has problems (reported). */
    Optional<CompiledStep> compile(List<Step> steps, int i) {
        var step = steps.get(i);
        var path = scope.modelPath(i);
        int before = check.count();
        var id = step.id();
        var following = i + 1 < steps.size() ? steps.get(i + 1).id() : Step.END;
        var nextPath = path + (step instanceof BranchStep ? ".otherwise" : ".next");
        var next = step.next().isEmpty()
                ? Optional.of(following)
                : compilation.target(scope, nextPath, step.next().get(), graph);
        if (!(step instanceof BranchStep)
                && step.next().isPresent()
                && next.filter(id::equals).isPresent()) {
            check.problem(
                    nextPath,
                    "step '" + id + "' continues with itself and would repeat forever; point next at"
                            + " another step or 'end', or loop through a wait step");
            graph.selfNext(id);
        }
        var targets = new ArrayList<Optional<String>>();
        targets.add(next);
        Supplier<CompiledStep> build = kind(step, path, next, targets);
        graph.edges(id, targets);
        return check.count() > before ? Optional.empty() : Optional.of(build.get());
    }

    private Supplier<CompiledStep> kind(Step step, String path, Optional<String> next, List<Optional<String>> targets) {
        var id = step.id();
        var locals = scope.locals();
        return switch (step) {
            case AgentStep agent -> {
                compilation.checkAgent(path + ".agent", agent.agent());
                var input = check.expressions(path + ".input", agent.input(), locals);
                var rule = agent.approval()
                        .flatMap(r ->
                                check.expression(path + ".approval.when", r, Checker.RULE_SCOPE, locals, Yields.BOOL));
                var compensation = agent.options().compensation().map(c -> {
                    compilation.checkAgent(path + ".compensate.agent", c.agent());
                    return new CompiledStep.Compensation(
                            c.agent(), check.expressions(path + ".compensate.input", c.input(), locals));
                });
                agent.fallback().ifPresent(fallback -> compilation.checkAgent(path + ".fallback", fallback));
                var options = agent.options().orElse(compilation.playbook.defaults());
                yield () -> new CompiledStep.AgentCall(
                        id, agent.agent(), input, rule, next.orElseThrow(), options, compensation, agent.fallback());
            }
            case ApprovalStep approval -> {
                var when = approval.when()
                        .flatMap(w ->
                                check.expression(path + ".approval.when", w, Checker.RUN_SCOPE, locals, Yields.BOOL));
                var show = check.expressions(path + ".approval.show", approval.show(), locals);
                var onReject = approval.onReject().map(t -> compilation.target(scope, path + ".onReject", t, graph));
                onReject.ifPresent(targets::add);
                yield () -> new CompiledStep.Approval(
                        id, approval.title(), when, show, next.orElseThrow(), onReject.map(Optional::orElseThrow));
            }
            case WaitStep wait -> {
                graph.pause(id);
                var duration = wait.duration().flatMap(d -> check.duration(path + ".wait.for", d, locals));
                var until = wait.until().flatMap(u -> check.until(path + ".wait.until", u, locals));
                yield () -> new CompiledStep.Wait(
                        id,
                        duration.flatMap(Timing::fixed),
                        duration.flatMap(Timing::expression),
                        until,
                        next.orElseThrow());
            }
            case AwaitStep await -> {
                graph.pause(id);
                compilation.checkEventType(path + ".await.event", await.event());
                var match = check.expression(
                        path + ".await.match",
                        await.match().orElse(PlaybookCompiler.DEFAULT_MATCH),
                        Checker.RUN_SCOPE,
                        locals,
                        Yields.BOOL);
                var timeout = check.duration(path + ".await.timeout", await.timeout(), locals);
                var onTimeout = compilation.target(scope, path + ".await.onTimeout", await.onTimeout(), graph);
                targets.add(onTimeout);
                yield () -> new CompiledStep.Await(
                        id,
                        await.event(),
                        match.orElseThrow(),
                        timeout.orElseThrow().fixed(),
                        timeout.orElseThrow().expression(),
                        onTimeout.orElseThrow(),
                        next.orElseThrow());
            }
            case BranchStep branch -> {
                var cases = new ArrayList<CompiledStep.Branch.Case>();
                for (int j = 0; j < branch.cases().size(); j++) {
                    var at = path + ".branch[" + j + "]";
                    var c = branch.cases().get(j);
                    var when = check.expression(at + ".when", c.when(), Checker.RUN_SCOPE, locals, Yields.BOOL);
                    var target = compilation.target(scope, at + ".goto", c.target(), graph);
                    targets.add(target);
                    if (when.isPresent() && target.isPresent()) {
                        cases.add(new CompiledStep.Branch.Case(when.get(), target.get()));
                    }
                }
                yield () -> new CompiledStep.Branch(id, cases, next.orElseThrow());
            }
            case EmitStep emit -> {
                compilation.checkEventType(path + ".emit.type", emit.type());
                var subject = emit.subject()
                        .flatMap(s ->
                                check.expression(path + ".emit.subject", s, Checker.RUN_SCOPE, locals, Yields.ANY));
                var data = check.expressions(path + ".emit.data", emit.data(), locals);
                yield () -> new CompiledStep.Emit(id, emit.type(), subject, data, next.orElseThrow());
            }
            case ParallelStep parallel -> parallel(parallel, path, next);
            case ForEachStep forEach -> forEach(forEach, path, next);
            case CallStep call -> call(call, path, next);
            case ConversationStep conversation -> conversation(conversation, path, next);
            case SendStep send -> {
                checkStateful(path + ".send.to", send.agent());
                if (send.message().containsKey("to")) {
                    check.problem(
                            path + ".send.message.to",
                            "'to' is where a message goes, so a message cannot have a field named 'to';"
                                    + " call it something else, e.g. recipient");
                }
                var subject = send.subject()
                        .flatMap(s ->
                                check.expression(path + ".send.subject", s, Checker.RUN_SCOPE, locals, Yields.ANY));
                var message = check.expressions(path + ".send.message", send.message(), locals);
                yield () -> new CompiledStep.Send(id, send.agent(), subject, message, next.orElseThrow());
            }
        };
    }

    private Supplier<CompiledStep> parallel(ParallelStep parallel, String path, Optional<String> next) {
        var firsts = new LinkedHashMap<String, String>();
        boolean pausesInEveryBranch = true;
        var own = scope.stepPath(parallel.id());
        for (var branch : parallel.branches().entrySet()) {
            firsts.put(
                    branch.getKey(),
                    compilation.sequence(
                            branch.getValue(),
                            StepPaths.branch(own, branch.getKey()),
                            path + ".parallel." + branch.getKey(),
                            scope.locals(),
                            true));
            pausesInEveryBranch &= pauses(branch.getValue());
        }
        if (pausesInEveryBranch) {
            // every branch pauses, so a loop through the parallel step pauses too
            graph.pause(parallel.id());
        }
        return () -> new CompiledStep.Parallel(parallel.id(), firsts, parallel.join(), next.orElseThrow());
    }

    private Supplier<CompiledStep> forEach(ForEachStep forEach, String path, Optional<String> next) {
        var items =
                check.expression(path + ".forEach", forEach.items(), Checker.RUN_SCOPE, scope.locals(), Yields.LIST);
        var locals = compilation.forEachLocals(scope, path, forEach.as());
        var bodyLocals = locals.orElse(scope.locals());
        var first =
                compilation.sequence(forEach.steps(), scope.stepPath(forEach.id()), path + ".steps", bodyLocals, true);
        var collect = forEach.collect()
                .flatMap(c -> check.expression(path + ".collect", c, Checker.RUN_SCOPE, bodyLocals, Yields.ANY));
        return () -> new CompiledStep.ForEach(
                forEach.id(),
                items.orElseThrow(),
                forEach.as(),
                first,
                forEach.concurrency(),
                collect,
                next.orElseThrow());
    }

    private Supplier<CompiledStep> call(CallStep call, String path, Optional<String> next) {
        var playbooks = compilation.catalog.playbooks();
        if (call.playbook().equals(compilation.playbook.name())) {
            check.problem(
                    path + ".call.playbook",
                    "playbook '" + call.playbook() + "' calls itself, so every run would start another without end;"
                            + " call another playbook");
        } else if (playbooks.isPresent() && !playbooks.get().contains(call.playbook())) {
            check.problem(
                    path + ".call.playbook",
                    "no playbook named '" + call.playbook() + "'" + Names.didYouMean(call.playbook(), playbooks.get())
                            + (playbooks.get().isEmpty() ? "" : "; the playbooks are " + Names.list(playbooks.get()))
                            + "; load it with this one");
        }
        if (call.waits()) {
            graph.pause(call.id());
        }
        var input = check.expressions(path + ".call.input", call.input(), scope.locals());
        StepOptions options = call.options().orElse(compilation.playbook.defaults());
        return () ->
                new CompiledStep.Call(call.id(), call.playbook(), input, call.waits(), next.orElseThrow(), options);
    }

    private Supplier<CompiledStep> conversation(ConversationStep conversation, String path, Optional<String> next) {
        var at = path + ".conversation";
        var locals = Compilation.conversationLocals(scope);
        var until = check.expression(at + ".until", conversation.until(), Checker.RUN_SCOPE, locals, Yields.BOOL);
        var own = scope.stepPath(conversation.id());
        var names = new ArrayList<String>();
        var speakers = new ArrayList<CompiledStep.AgentCall>();
        int before = check.count();
        for (int i = 0; i < conversation.participants().size(); i++) {
            var participant = conversation.participants().get(i);
            var p = at + ".agents[" + i + "]";
            compilation.checkAgent(p + ".agent", participant.agent());
            var input = check.expressions(p + ".input", participant.input(), locals);
            names.add(participant.name());
            speakers.add(new CompiledStep.AgentCall(
                    participant.name(),
                    participant.agent(),
                    input,
                    Optional.empty(),
                    Step.END,
                    compilation.playbook.defaults(),
                    Optional.empty(),
                    Optional.empty()));
        }
        if (check.count() == before) {
            speakers.forEach(s -> compilation.compiled.put(StepPaths.child(own, s.id()), s));
        }
        return () -> new CompiledStep.Conversation(
                conversation.id(),
                names,
                until.orElseThrow(),
                conversation.maxTurns(),
                conversation.budget(),
                next.orElseThrow());
    }

    private void checkStateful(String path, String agent) {
        var catalog = compilation.catalog;
        if (!catalog.agents().contains(agent)) {
            check.problem(path, compilation.unknownAgent(agent));
        } else if (!catalog.statefulAgents().contains(agent)) {
            check.problem(
                    path,
                    "agent '" + agent + "' is not stateful, so it has no instance to send messages to;"
                            + (catalog.statefulAgents().isEmpty()
                                    ? " no stateful agents are registered"
                                    : " the stateful agents are " + Names.list(catalog.statefulAgents()))
                            + "; to call it once, use an agent step");
        }
    }

    /** Whether a list of steps pauses durably somewhere (a wait, an await, or a call that waits). */
    private static boolean pauses(List<Step> steps) {
        return steps.stream().anyMatch(step -> switch (step) {
            case WaitStep w -> true;
            case AwaitStep a -> true;
            case CallStep c -> c.waits();
            case ParallelStep p -> p.branches().values().stream().allMatch(StepCompiler::pauses);
            default -> false;
        });
    }
}
