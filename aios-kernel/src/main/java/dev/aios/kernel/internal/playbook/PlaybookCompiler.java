package dev.aios.kernel.internal.playbook;

import dev.aios.api.EmitStep;
import dev.aios.api.Event;
import dev.aios.api.ForEachStep;
import dev.aios.api.ParallelStep;
import dev.aios.api.Playbook;
import dev.aios.api.Step;
import dev.aios.kernel.PlaybookException;
import dev.aios.kernel.PlaybookException.Problem;
import dev.aios.kernel.internal.cel.Cel;
import dev.aios.kernel.internal.cel.Expression;
import dev.aios.kernel.internal.playbook.Checker.Yields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a playbook and compiles it for the engine: every CEL expression compiled, every target
 * resolved, agents, playbooks and event types checked, and each list of steps (the playbook's, a
 * parallel branch's, a forEach body) checked for unreachable steps and loops that never pause.
 * Refuses the playbook with a {@link PlaybookException} listing every problem. Thread-safe.
 */
public final class PlaybookCompiler {

    /** What an await matches when it says nothing: an event about the run's subject. */
    public static final String DEFAULT_MATCH = "event.subject == run.subject";

    /** The variables a conversation's participants and its condition see besides the run's. */
    public static final Set<String> CONVERSATION_LOCALS = Set.of("transcript", "last");

    /**
     * What a playbook may refer to.
     *
     * @param agents the names of the registered and declared agents
     * @param statefulAgents those of them that are stateful: only {@code send} steps address them
     * @param playbooks the names of the playbooks a {@code call} may start; empty means not checked
     * @param kinds the step kinds the kernel runs
     */
    public record Catalog(
            Set<String> agents, Set<String> statefulAgents, Optional<Set<String>> playbooks, Set<String> kinds) {

        /** Every step kind of the language. */
        public static final Set<String> ALL_KINDS = Set.of(
                "agent",
                "approval",
                "wait",
                "await",
                "branch",
                "emit",
                "parallel",
                "forEach",
                "call",
                "conversation",
                "send");

        public Catalog {
            agents = Set.copyOf(agents);
            statefulAgents = Set.copyOf(statefulAgents);
            playbooks = playbooks.map(Set::copyOf);
            kinds = Set.copyOf(kinds);
        }

        /** Only these agents, none stateful; playbooks not checked; every kind. */
        public static Catalog of(Set<String> agents) {
            return new Catalog(agents, Set.of(), Optional.empty(), ALL_KINDS);
        }
    }

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
        return compile(playbook, source, lines, Catalog.of(knownAgents));
    }

    /** Compiles {@code playbook} against {@code catalog}; see {@link #compile(Playbook, String, SourceMap, Set)}. */
    public CompiledPlaybook compile(Playbook playbook, String source, SourceMap lines, Catalog catalog) {
        return new Compilation(playbook, catalog, new Checker(cel, source, lines), source).run();
    }

    /**
     * One list of steps being compiled.
     *
     * @param staticPath where its steps are compiled: "" for the playbook's own, else the block's
     *     static path, e.g. {@code gather/lead}
     * @param modelPath the list's path in the model, e.g. {@code steps[2].parallel.lead}
     * @param locals the variables its expressions see besides the run's
     * @param ids the ids of the list's steps, in order
     */
    record Scope(String staticPath, String modelPath, Set<String> locals, List<String> ids) {
        String stepPath(String id) {
            return StepPaths.child(staticPath, id);
        }

        String modelPath(int index) {
            return modelPath + "[" + index + "]";
        }
    }

    /** The state of one compilation. */
    static final class Compilation {
        final Playbook playbook;
        final Catalog catalog;
        final Checker check;
        private final String source;
        private final Map<String, String> idPaths = new LinkedHashMap<>();
        final Map<String, CompiledStep> compiled = new LinkedHashMap<>();

        Compilation(Playbook playbook, Catalog catalog, Checker check, String source) {
            this.playbook = playbook;
            this.catalog = catalog;
            this.check = check;
            this.source = source;
        }

        CompiledPlaybook run() {
            var trigger = playbook.trigger();
            checkEventType("trigger.event", trigger.event());
            var when = trigger.when()
                    .flatMap(w -> check.expression("trigger.when", w, Checker.TRIGGER_SCOPE, Set.of(), Yields.BOOL));
            boolean unique = collectIds(playbook.steps(), "steps");
            sequence(playbook.steps(), "", "steps", Set.of(), unique);
            var ends = instanceEnds();
            if (check.count() > 0) {
                var problems = new ArrayList<>(check.problems());
                problems.sort(Comparator.comparingInt(Problem::line));
                throw new PlaybookException(problems);
            }
            return new CompiledPlaybook(playbook, PlaybookJson.version(playbook), source, when, compiled, ends);
        }

        /**
         * The end conditions of the declared stateful agents: {@code end:} is CEL over {@code state}
         * and {@code message}, and only a stateful agent has an instance to end.
         */
        private Map<String, Expression> instanceEnds() {
            var ends = new LinkedHashMap<String, Expression>();
            for (int i = 0; i < playbook.agents().size(); i++) {
                var declaration = playbook.agents().get(i);
                var end = declaration.spec().path("end");
                if (end.isMissingNode()) {
                    continue;
                }
                var path = "agents[" + i + "].end";
                if (!declaration.spec().path("stateful").asBoolean(false)) {
                    check.problem(
                            path,
                            "agent '" + declaration.name() + "' is not stateful, so it has no instance to end;"
                                    + " add stateful: true or remove end");
                } else if (!end.isValueNode() || end.isNull()) {
                    check.problem(path, "write a condition over state and message, e.g. end: state.status == 'closed'");
                } else {
                    check.expression(path, end.asText(), Checker.INSTANCE_SCOPE, Checker.INSTANCE_SCOPE, Yields.BOOL)
                            .ifPresent(e -> ends.put(declaration.name(), e));
                }
            }
            return ends;
        }

        /** Records where every id is first written, nested steps included; false when one repeats. */
        private boolean collectIds(List<Step> steps, String listPath) {
            boolean unique = true;
            for (int i = 0; i < steps.size(); i++) {
                var step = steps.get(i);
                var path = listPath + "[" + i + "]";
                var previous = idPaths.putIfAbsent(step.id(), path);
                if (previous != null) {
                    unique = false;
                    check.problem(
                            path + ".id",
                            "step id '" + step.id() + "' is already used by " + previous
                                    + "; give each step its own id (nested steps included)");
                }
                switch (step) {
                    case ParallelStep parallel -> {
                        for (var branch : parallel.branches().entrySet()) {
                            unique &= collectIds(branch.getValue(), path + ".parallel." + branch.getKey());
                        }
                    }
                    case ForEachStep forEach -> unique &= collectIds(forEach.steps(), path + ".steps");
                    default -> {}
                }
            }
            return unique;
        }

        /**
         * Compiles one list of steps under {@code staticPath} and checks its graph; returns the id
         * of its first step.
         */
        String sequence(List<Step> steps, String staticPath, String modelPath, Set<String> locals, boolean unique) {
            var scope = new Scope(
                    staticPath, modelPath, locals, steps.stream().map(Step::id).toList());
            var graph = new GraphCollector(scope);
            for (int i = 0; i < steps.size(); i++) {
                var step = steps.get(i);
                var path = scope.modelPath(i);
                if (!catalog.kinds().contains(step.kind())) {
                    check.problem(
                            path,
                            "this kernel does not run " + step.kind() + " steps yet; use "
                                    + String.join(", ", new java.util.TreeSet<>(catalog.kinds())));
                    continue;
                }
                new StepCompiler(this, scope, graph)
                        .compile(steps, i)
                        .ifPresent(c -> compiled.put(scope.stepPath(c.id()), c));
            }
            if (unique) {
                graph.check(check);
                if (staticPath.isEmpty()) {
                    checkSelfTrigger(steps, scope, graph);
                }
            }
            return steps.get(0).id();
        }

        /**
         * Refuses an emit of the playbook's own trigger that every run reaches before any pause:
         * each run would start the next at once, without end. A trigger condition may tell the
         * emitted event apart, so then the depth limit at run time is the guard.
         */
        private void checkSelfTrigger(List<Step> steps, Scope scope, GraphCollector graph) {
            if (playbook.trigger().when().isPresent()) {
                return;
            }
            var early = graph.reachableWithoutPause();
            for (int i = 0; i < steps.size(); i++) {
                if (steps.get(i) instanceof EmitStep emit
                        && emit.type().equals(playbook.trigger().event())
                        && early.contains(emit.id())) {
                    check.problem(
                            scope.modelPath(i) + ".emit.type",
                            "step '" + emit.id() + "' emits " + emit.type() + ", the event that starts this playbook,"
                                    + " before any wait or await: every run would start another at once, without"
                                    + " end. Emit another event type, add a wait before it, or give the trigger a"
                                    + " when: condition that the emitted event does not meet");
                }
            }
        }

        /** The step {@code name} as a target from a step of {@code scope}, or empty (reported). */
        Optional<String> target(Scope scope, String path, String name, GraphCollector graph) {
            if (name.equals(Step.END) || scope.ids().contains(name)) {
                return Optional.of(name);
            }
            graph.dangling();
            var where = idPaths.get(name);
            if (where != null) {
                check.problem(
                        path,
                        "step '" + name + "' is outside this list of steps (it is at " + where + "); a next or goto"
                                + " can only point at a step of the same list or 'end', which ends "
                                + (scope.staticPath().isEmpty() ? "the run" : "the branch or iteration"));
                return Optional.empty();
            }
            var names = new ArrayList<>(scope.ids());
            names.add(Step.END);
            check.problem(
                    path,
                    "there is no step '" + name + "'" + Names.didYouMean(name, names) + "; the steps are "
                            + Names.list(scope.ids()) + ", or 'end' to finish "
                            + (scope.staticPath().isEmpty() ? "the run" : "the branch or iteration"));
            return Optional.empty();
        }

        /** Checks an agent step's agent: known, and not stateful (a stateful agent gets messages). */
        void checkAgent(String path, String agent) {
            if (!catalog.agents().contains(agent)) {
                check.problem(path, unknownAgent(agent));
            } else if (catalog.statefulAgents().contains(agent)) {
                check.problem(
                        path,
                        "agent '" + agent + "' is stateful: it keeps one instance per subject and handles messages"
                                + " one at a time, so a step cannot call it; send it a message with a send step");
            }
        }

        String unknownAgent(String agent) {
            var agents = new java.util.TreeSet<>(catalog.agents());
            if (agents.isEmpty()) {
                return "no agent named '" + agent + "': no agents are registered; register it with the kernel"
                        + " before loading this playbook";
            }
            return "no agent named '" + agent + "'" + Names.didYouMean(agent, agents) + "; the registered agents are "
                    + Names.list(agents);
        }

        void checkEventType(String path, String type) {
            if (!Event.isValidType(type)) {
                check.problem(
                        path, "'" + type + "' is not an event type; use dotted lower-case words, e.g. lead.received");
            }
        }

        /** The locals of a conversation inside {@code scope}. */
        static Set<String> conversationLocals(Scope scope) {
            var locals = new java.util.HashSet<>(scope.locals());
            locals.addAll(CONVERSATION_LOCALS);
            return Set.copyOf(locals);
        }

        /** The locals of a forEach body inside {@code scope}, or empty (reported) when {@code as} clashes. */
        Optional<Set<String>> forEachLocals(Scope scope, String path, String as) {
            if (Cel.VARIABLES.contains(as)
                    || CONVERSATION_LOCALS.contains(as)
                    || scope.locals().contains(as)) {
                check.problem(
                        path + ".as",
                        "'" + as + "' is already a name expressions use; call the item otherwise, e.g. as: contact");
                return Optional.empty();
            }
            var locals = new java.util.HashSet<>(scope.locals());
            locals.add(as);
            return Optional.of(Set.copyOf(locals));
        }
    }

    /** The edges and pauses of one list of steps, for its graph checks. */
    static final class GraphCollector {
        private final Scope scope;
        private final Map<String, List<String>> edges = new LinkedHashMap<>();
        private final Set<String> pauses = new java.util.HashSet<>();
        private final Set<String> selfNext = new java.util.HashSet<>();
        private boolean dangling;

        GraphCollector(Scope scope) {
            this.scope = scope;
        }

        void edges(String id, List<Optional<String>> targets) {
            edges.putIfAbsent(
                    id,
                    targets.stream()
                            .flatMap(Optional::stream)
                            .filter(t -> !t.equals(Step.END))
                            .distinct()
                            .toList());
        }

        void pause(String id) {
            pauses.add(id);
        }

        void selfNext(String id) {
            selfNext.add(id);
        }

        void dangling() {
            dangling = true;
        }

        /** The steps a run reaches from the first one before it passes any pause. */
        java.util.Set<String> reachableWithoutPause() {
            return new StepGraph(scope.ids(), edges, pauses).reachableWithoutPause();
        }

        void check(Checker check) {
            var ids = scope.ids();
            var graph = new StepGraph(ids, edges, pauses);
            var reachable = graph.reachable();
            for (int i = 0; i < ids.size(); i++) {
                // a misspelled target cuts the graph; once it is fixed the steps may well be reached
                if (!dangling && !reachable.contains(ids.get(i))) {
                    check.problem(
                            scope.modelPath(i),
                            "step '" + ids.get(i) + "' is never reached; remove it or point a next/goto at it");
                }
            }
            for (var loop : graph.loopsWithoutPause()) {
                if (loop.size() == 2 && selfNext.contains(loop.get(0))) {
                    continue;
                }
                check.problem(
                        scope.modelPath(ids.indexOf(loop.get(0))),
                        "steps " + String.join(" -> ", loop) + " form a loop without a wait"
                                + " or await, so a run would spin forever; add a wait step to the loop or point a"
                                + " next/goto out of it");
            }
        }
    }
}
