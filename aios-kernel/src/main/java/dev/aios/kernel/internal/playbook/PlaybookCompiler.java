package dev.aios.kernel.internal.playbook;

import dev.aios.api.AgentStep;
import dev.aios.api.ApprovalStep;
import dev.aios.api.AwaitStep;
import dev.aios.api.BranchStep;
import dev.aios.api.Durations;
import dev.aios.api.EmitStep;
import dev.aios.api.Event;
import dev.aios.api.Playbook;
import dev.aios.api.Step;
import dev.aios.api.WaitStep;
import dev.aios.kernel.PlaybookException;
import dev.aios.kernel.PlaybookException.Problem;
import dev.aios.kernel.internal.cel.Cel;
import dev.aios.kernel.internal.cel.CelException;
import dev.aios.kernel.internal.cel.Expression;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Checks a playbook and compiles it for the engine: every CEL expression compiled, every target
 * resolved, agents and event types checked, and the graph checked for unreachable steps and loops
 * that never pause. Refuses the playbook with a {@link PlaybookException} listing every problem.
 * Thread-safe.
 */
public final class PlaybookCompiler {

    /** What an await matches when it says nothing: an event about the run's subject. */
    public static final String DEFAULT_MATCH = "event.subject == run.subject";

    private static final Set<String> TRIGGER_SCOPE = Set.of("event");
    private static final Set<String> RUN_SCOPE = Set.of("event", "trigger", "steps", "run");
    private static final Set<String> RULE_SCOPE = Set.copyOf(Cel.VARIABLES);

    private final Cel cel;

    /** A compiler whose expressions are compiled, and cached, by {@code cel}. */
    public PlaybookCompiler(Cel cel) {
        this.cel = Objects.requireNonNull(cel, "cel");
    }

    /**
     * Compiles {@code playbook}.
     *
     * @param source where it came from, for messages: a file, or {@code builder:NAME}
     * @param lines where its parts were written, or {@link SourceMap#none()}
     * @param knownAgents the names of the registered agents
     * @throws PlaybookException listing every problem, in source order
     */
    public CompiledPlaybook compile(Playbook playbook, String source, SourceMap lines, Set<String> knownAgents) {
        return new Compilation(playbook, source, lines, knownAgents).run();
    }

    private enum Yields {
        ANY("a value", ""),
        BOOL("true or false", "write a condition such as x > 0"),
        TIME("a time", "write an ISO-8601 time with a zone, e.g. 2025-01-31T09:00:00Z, or a CEL timestamp"),
        DURATION("a duration", "write one such as 72h or P3D, or CEL such as duration('72h')");

        final String what;
        final String hint;

        Yields(String what, String hint) {
            this.what = what;
            this.hint = hint;
        }
    }

    private record Timing(Optional<Duration> fixed, Optional<Expression> expression) {}

    private final class Compilation {
        private final Playbook playbook;
        private final String source;
        private final SourceMap lines;
        private final Set<String> agents;
        private final List<Problem> problems = new ArrayList<>();
        private final Map<String, Integer> firstIndex = new LinkedHashMap<>();
        private final Map<String, List<String>> edges = new HashMap<>();
        private final Set<String> pauses = new HashSet<>();
        private final Set<String> selfNext = new HashSet<>();
        private boolean danglingTarget;

        Compilation(Playbook playbook, String source, SourceMap lines, Set<String> agents) {
            this.playbook = playbook;
            this.source = source;
            this.lines = lines;
            this.agents = new TreeSet<>(agents);
        }

        CompiledPlaybook run() {
            var trigger = playbook.trigger();
            checkEventType("trigger.event", trigger.event());
            var when = trigger.when().flatMap(w -> expression("trigger.when", w, TRIGGER_SCOPE, Yields.BOOL));
            var steps = playbook.steps();
            for (int i = 0; i < steps.size(); i++) {
                var previous = firstIndex.putIfAbsent(steps.get(i).id(), i);
                if (previous != null) {
                    problem(
                            "steps[" + i + "].id",
                            "step id '" + steps.get(i).id() + "' is already used by steps[" + previous
                                    + "]; give each step its own id");
                }
            }
            var compiled = new LinkedHashMap<String, CompiledStep>();
            for (int i = 0; i < steps.size(); i++) {
                var step = steps.get(i);
                var result = step(i, step);
                if (firstIndex.get(step.id()) == i) {
                    result.ifPresent(c -> compiled.put(step.id(), c));
                }
            }
            if (firstIndex.size() == steps.size()) {
                // with duplicate ids the graph is ambiguous; the duplicates are reported already
                checkGraph();
            }
            if (!problems.isEmpty()) {
                problems.sort(Comparator.comparingInt(Problem::line));
                throw new PlaybookException(problems);
            }
            return new CompiledPlaybook(playbook, PlaybookJson.version(playbook), source, when, compiled);
        }

        private Optional<CompiledStep> step(int i, Step step) {
            var path = "steps[" + i + "]";
            int before = problems.size();
            var id = step.id();
            var following = i + 1 < playbook.steps().size()
                    ? playbook.steps().get(i + 1).id()
                    : Step.END;
            var nextPath = path + (step instanceof BranchStep ? ".otherwise" : ".next");
            var next = step.next().isEmpty()
                    ? Optional.of(following)
                    : target(nextPath, step.next().get());
            if (!(step instanceof BranchStep)
                    && step.next().isPresent()
                    && next.filter(id::equals).isPresent()) {
                problem(
                        nextPath,
                        "step '" + id + "' continues with itself and would repeat forever; point next at"
                                + " another step or 'end', or loop through a wait step");
                selfNext.add(id);
            }
            var targets = new ArrayList<Optional<String>>();
            targets.add(next);
            Supplier<CompiledStep> build =
                    switch (step) {
                        case AgentStep agent -> {
                            if (!agents.contains(agent.agent())) {
                                problem(path + ".agent", unknownAgent(agent.agent()));
                            }
                            var input = expressions(path + ".input", agent.input());
                            var rule = agent.approval()
                                    .flatMap(r -> expression(path + ".approval.when", r, RULE_SCOPE, Yields.BOOL));
                            var compensation = agent.options().compensation().map(c -> {
                                if (!agents.contains(c.agent())) {
                                    problem(path + ".compensate.agent", unknownAgent(c.agent()));
                                }
                                return new CompiledStep.Compensation(
                                        c.agent(), expressions(path + ".compensate.input", c.input()));
                            });
                            agent.fallback().ifPresent(fallback -> {
                                if (!agents.contains(fallback)) {
                                    problem(path + ".fallback", unknownAgent(fallback));
                                }
                            });
                            var options = agent.options().orElse(playbook.defaults());
                            yield () -> new CompiledStep.AgentCall(
                                    id,
                                    agent.agent(),
                                    input,
                                    rule,
                                    next.orElseThrow(),
                                    options,
                                    compensation,
                                    agent.fallback());
                        }
                        case ApprovalStep approval -> {
                            var when = approval.when()
                                    .flatMap(w -> expression(path + ".approval.when", w, RUN_SCOPE, Yields.BOOL));
                            var show = expressions(path + ".approval.show", approval.show());
                            var onReject = approval.onReject().map(t -> target(path + ".onReject", t));
                            onReject.ifPresent(targets::add);
                            yield () -> new CompiledStep.Approval(
                                    id,
                                    approval.title(),
                                    when,
                                    show,
                                    next.orElseThrow(),
                                    onReject.map(Optional::orElseThrow));
                        }
                        case WaitStep wait -> {
                            pauses.add(id);
                            var duration = wait.duration().flatMap(d -> duration(path + ".wait.for", d));
                            var until = wait.until().flatMap(u -> until(path + ".wait.until", u));
                            yield () -> new CompiledStep.Wait(
                                    id,
                                    duration.flatMap(Timing::fixed),
                                    duration.flatMap(Timing::expression),
                                    until,
                                    next.orElseThrow());
                        }
                        case AwaitStep await -> {
                            pauses.add(id);
                            checkEventType(path + ".await.event", await.event());
                            var match = expression(
                                    path + ".await.match", await.match().orElse(DEFAULT_MATCH), RUN_SCOPE, Yields.BOOL);
                            var timeout = duration(path + ".await.timeout", await.timeout());
                            var onTimeout = target(path + ".await.onTimeout", await.onTimeout());
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
                                var when = expression(at + ".when", c.when(), RUN_SCOPE, Yields.BOOL);
                                var target = target(at + ".goto", c.target());
                                targets.add(target);
                                if (when.isPresent() && target.isPresent()) {
                                    cases.add(new CompiledStep.Branch.Case(when.get(), target.get()));
                                }
                            }
                            yield () -> new CompiledStep.Branch(id, cases, next.orElseThrow());
                        }
                        case EmitStep emit -> {
                            checkEventType(path + ".emit.type", emit.type());
                            var subject = emit.subject()
                                    .flatMap(s -> expression(path + ".emit.subject", s, RUN_SCOPE, Yields.ANY));
                            var data = expressions(path + ".emit.data", emit.data());
                            yield () -> new CompiledStep.Emit(id, emit.type(), subject, data, next.orElseThrow());
                        }
                    };
            if (firstIndex.get(id) == i) {
                edges.put(
                        id,
                        targets.stream()
                                .flatMap(Optional::stream)
                                .filter(t -> !t.equals(Step.END))
                                .distinct()
                                .toList());
            }
            return problems.size() > before ? Optional.empty() : Optional.of(build.get());
        }

        private void checkGraph() {
            var ids = List.copyOf(firstIndex.keySet());
            var graph = new StepGraph(ids, edges, pauses);
            var reachable = graph.reachable();
            for (var id : ids) {
                // a misspelled target cuts the graph; once it is fixed the steps may well be reached
                if (!danglingTarget && !reachable.contains(id)) {
                    problem(stepPath(id), "step '" + id + "' is never reached; remove it or point a next/goto at it");
                }
            }
            for (var loop : graph.loopsWithoutPause()) {
                if (loop.size() == 2 && selfNext.contains(loop.get(0))) {
                    continue;
                }
                problem(
                        stepPath(loop.get(0)),
                        "steps " + String.join(" -> ", loop) + " form a loop without a wait"
                                + " or await, so a run would spin forever; add a wait step to the loop or point a next/goto"
                                + " out of it");
            }
        }

        private Optional<String> target(String path, String name) {
            if (name.equals(Step.END) || firstIndex.containsKey(name)) {
                return Optional.of(name);
            }
            danglingTarget = true;
            problem(
                    path,
                    "there is no step '" + name + "'" + Names.didYouMean(name, targetNames()) + "; the steps are "
                            + Names.list(firstIndex.keySet()) + ", or 'end' to finish the run");
            return Optional.empty();
        }

        private List<String> targetNames() {
            var names = new ArrayList<>(firstIndex.keySet());
            names.add(Step.END);
            return names;
        }

        private String unknownAgent(String agent) {
            if (agents.isEmpty()) {
                return "no agent named '" + agent + "': no agents are registered; register it with the kernel"
                        + " before loading this playbook";
            }
            return "no agent named '" + agent + "'" + Names.didYouMean(agent, agents) + "; the registered agents are "
                    + Names.list(agents);
        }

        private void checkEventType(String path, String type) {
            if (!Event.isValidType(type)) {
                problem(path, "'" + type + "' is not an event type; use dotted lower-case words, e.g. lead.received");
            }
        }

        private Map<String, Expression> expressions(String path, Map<String, String> sources) {
            var result = new LinkedHashMap<String, Expression>();
            sources.forEach((field, text) ->
                    expression(path + "." + field, text, RUN_SCOPE, Yields.ANY).ifPresent(e -> result.put(field, e)));
            return result;
        }

        private Optional<Expression> expression(String path, String text, Set<String> scope, Yields yields) {
            Expression expression;
            try {
                expression = cel.compile(text);
            } catch (CelException e) {
                problem(path, e.getMessage());
                return Optional.empty();
            }
            var outside = new TreeSet<>(expression.variables());
            outside.removeAll(scope);
            if (!outside.isEmpty()) {
                var hint = scope == TRIGGER_SCOPE
                        ? "a trigger condition can only use event, the incoming event"
                        : "input and output are only known in an agent step's approval rule; read what earlier"
                                + " steps produced with steps.<id>";
                problem(path, "`" + text + "` uses " + String.join(" and ", outside) + "; " + hint);
                return Optional.empty();
            }
            boolean fits =
                    switch (yields) {
                        case ANY -> true;
                        case BOOL -> expression.mayYieldBool();
                        case TIME -> expression.mayYieldInstant();
                        case DURATION -> expression.mayYieldDuration();
                    };
            if (!fits) {
                problem(
                        path,
                        "`" + text + "` yields " + expression.resultType() + ", but this must be " + yields.what + "; "
                                + yields.hint);
                return Optional.empty();
            }
            return Optional.of(expression);
        }

        private Optional<Timing> duration(String path, String text) {
            var literal = Durations.parse(text);
            if (literal.isPresent()) {
                if (literal.get().isNegative()) {
                    problem(path, "'" + text + "' is negative; a duration must be zero or more");
                    return Optional.empty();
                }
                return Optional.of(new Timing(literal, Optional.empty()));
            }
            if (text.strip().matches("(?i)P(\\d+[YM])+")) {
                problem(path, "'" + text + "': months and years vary in length; write days instead, e.g. P30D");
                return Optional.empty();
            }
            try {
                cel.compile(text);
            } catch (CelException e) {
                problem(
                        path,
                        "'" + text + "' is not a duration; write one such as 72h, 15m, 2d, P3D or PT10S, or"
                                + " a CEL expression yielding one (" + e.getMessage() + ")");
                return Optional.empty();
            }
            return expression(path, text, RUN_SCOPE, Yields.DURATION)
                    .map(e -> new Timing(Optional.empty(), Optional.of(e)));
        }

        private Optional<Expression> until(String path, String text) {
            try {
                var instant = OffsetDateTime.parse(text.strip()).toInstant();
                return expression(path, "timestamp('" + instant + "')", RUN_SCOPE, Yields.TIME);
            } catch (DateTimeParseException e) {
                return expression(path, text, RUN_SCOPE, Yields.TIME);
            }
        }

        private String stepPath(String id) {
            return "steps[" + firstIndex.get(id) + "]";
        }

        private void problem(String path, String message) {
            problems.add(new Problem(source, lines.line(path), path + ": " + message));
        }
    }
}
