package dev.aios.kernel.internal.engine;

import dev.aios.api.Playbook;
import dev.aios.api.PlaybookRef;
import dev.aios.kernel.AgentInfo;
import dev.aios.kernel.LoadReport;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.PlaybookException;
import dev.aios.kernel.PlaybookInfo;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.agent.AgentBinding;
import dev.aios.kernel.internal.agent.AgentRegistry;
import dev.aios.kernel.internal.cel.Cel;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.playbook.PlaybookCompiler;
import dev.aios.kernel.internal.playbook.PlaybookJson;
import dev.aios.kernel.internal.playbook.SourceMap;
import dev.aios.kernel.internal.playbook.YamlPlaybookReader;
import dev.aios.kernel.internal.store.PlaybookStore.StoredPlaybook;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.spi.AgentFactory;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every playbook version this data directory has seen. Versions are stored in the database, so a
 * run pinned to a version finds it after its file changed or vanished; the versions loaded from
 * the current sources are the active ones, which new events start.
 */
final class Playbooks {
    private static final Logger LOG = LoggerFactory.getLogger(Playbooks.class);

    /** One playbook to load: YAML text, or a Java-built model. */
    sealed interface Input {
        String source();

        record Yaml(String source, String text) implements Input {}

        record Unreadable(String source, String reason) implements Input {}

        record Built(Playbook playbook) implements Input {
            @Override
            public String source() {
                return "builder:" + playbook.name();
            }
        }
    }

    /** The step kinds this kernel runs. */
    static final Set<String> RUNNABLE = Set.of(
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

    private record Key(String name, String version) {}

    private record Loaded(CompiledPlaybook compiled, Map<String, AgentBinding> declared, Instant loadedAt) {}

    /** A compiled version with the agents it declares, built. */
    private record Built(CompiledPlaybook compiled, Map<String, AgentBinding> declared) {}

    private final Store store;
    private final PlaybookCompiler compiler;
    private final YamlPlaybookReader reader = new YamlPlaybookReader();
    private final AgentRegistry agents;
    private final Map<String, AgentFactory> factories;
    private final Host host;
    private final InstantSource clock;
    private final Map<Key, Loaded> versions = new ConcurrentHashMap<>();
    private volatile Map<String, Built> active = Map.of();
    /** The event types an await step of a loaded version waits for; only grows. */
    private volatile Set<String> awaited = Set.of();

    private volatile LoadReport lastLoad = new LoadReport(List.of(), List.of());

    /** A file refused by the last load, and the playbook it defined (or was meant to). */
    private record Refusal(String source, String name, List<PlaybookException.Problem> problems, Instant at) {}

    private volatile List<Refusal> refusals = List.of();
    private final dev.aios.kernel.internal.access.AuditTrail audit;

    Playbooks(
            Store store,
            PlaybookCompiler compiler,
            AgentRegistry agents,
            Host host,
            InstantSource clock,
            dev.aios.kernel.internal.access.AuditTrail audit) {
        this.audit = audit;
        this.store = store;
        this.compiler = compiler;
        this.agents = agents;
        this.factories = host.factories;
        this.host = host;
        this.clock = clock;
    }

    /**
     * Compiles the expressions of {@code inputs} into {@code cel}'s cache, so that their load finds
     * them compiled. Only a head start: every problem is left for the load to find and report, with
     * the agents and playbooks it knows.
     */
    static void compileExpressionsAhead(Cel cel, List<Input> inputs) {
        var compiler = new PlaybookCompiler(cel);
        var reader = new YamlPlaybookReader();
        var catalog = new PlaybookCompiler.Catalog(Set.of(), Set.of(), Optional.empty(), RUNNABLE);
        for (var input : inputs) {
            try {
                switch (input) {
                    case Input.Yaml yaml -> {
                        var parsed = reader.read(yaml.source(), yaml.text());
                        compiler.compile(parsed.playbook(), yaml.source(), parsed.lines(), catalog);
                    }
                    case Input.Built built ->
                        compiler.compile(built.playbook(), built.source(), SourceMap.none(), catalog);
                    case Input.Unreadable unreadable -> {}
                }
            } catch (RuntimeException e) {
                // refused or unreadable: the load says why; its expressions that compiled are cached
            }
        }
    }

    /** Every version stored by earlier runs of this data directory, as models. */
    static List<Input> stored(Store store) {
        var inputs = new ArrayList<Input>();
        for (var s : store.read(tx -> tx.playbooks().all())) {
            try {
                inputs.add(new Input.Built(PlaybookJson.fromJson(Json.tree(s.definition()))));
            } catch (RuntimeException e) {
                // one that no longer reads is reported by loadStored
            }
        }
        return inputs;
    }

    /** Loads every version stored by earlier runs of this data directory. */
    void loadStored() {
        var stored = store.read(tx -> tx.playbooks().all());
        for (var s : stored) {
            try {
                Playbook model = PlaybookJson.fromJson(Json.tree(s.definition()));
                var built = build(model, s.source(), SourceMap.none());
                versions.put(
                        new Key(s.name(), s.version()), new Loaded(built.compiled(), built.declared(), s.loadedAt()));
                noteAwaited(built.compiled());
            } catch (PlaybookException | IllegalArgumentException e) {
                LOG.warn(
                        "stored playbook {}@{} no longer compiles; its runs will need attention: {}",
                        s.name(),
                        s.version(),
                        e.getMessage());
            }
        }
    }

    /**
     * Loads {@code inputs} as the active set: each valid one becomes (or stays) the active version
     * of its name; an invalid one is refused whole and its name keeps its earlier active version.
     */
    synchronized LoadReport load(List<Input> inputs) {
        return load(inputs, Optional.empty());
    }

    /**
     * As {@link #load(List)}; when an operator asked for it, {@code by} names them and the load is
     * recorded in the audit log in the same transaction.
     */
    synchronized LoadReport load(List<Input> inputs, Optional<String> by) {
        var problems = new ArrayList<PlaybookException.Problem>();
        var next = new LinkedHashMap<String, Built>();
        var sources = new HashMap<String, String>();
        var refusedNames = new ArrayList<String>();
        var refused = new ArrayList<Refusal>();
        Instant now = clock.instant();
        for (var input : inputs) {
            try {
                var built = compile(input);
                var compiled = built.compiled();
                String previous = sources.putIfAbsent(compiled.name(), input.source());
                if (previous != null
                        && previous.startsWith("classpath:")
                        && !input.source().startsWith("classpath:")) {
                    // A playbook in the operator's directory replaces a bundled one of the same name.
                    LOG.info("playbook '{}' from {} replaces the bundled one", compiled.name(), input.source());
                    sources.put(compiled.name(), input.source());
                } else if (previous != null) {
                    problems.add(new PlaybookException.Problem(
                            input.source(),
                            0,
                            "playbook '" + compiled.name() + "' is also defined in " + previous
                                    + "; rename one of them"));
                    continue;
                }
                next.put(compiled.name(), built);
            } catch (PlaybookException e) {
                problems.addAll(e.problems());
                // A file too broken to name its playbook still keeps the one it defined before.
                var name = nameOf(input).or(() -> activeFrom(input.source()));
                name.ifPresent(refusedNames::add);
                refused.add(new Refusal(input.source(), name.orElse(stem(input.source())), e.problems(), now));
            }
        }
        // A refused file keeps the version that was active before, so a typo does not stop a playbook.
        for (String name : refusedNames) {
            if (!next.containsKey(name) && active.containsKey(name)) {
                next.put(name, active.get(name));
            }
        }
        var versionsToKeep = next.values().stream()
                .map(Built::compiled)
                .map(c -> new StoredPlaybook(
                        c.name(), c.version(), c.source(), Json.text(PlaybookJson.toJson(c.model())), now))
                .toList();
        store.write(tx -> {
            tx.playbooks().activate(versionsToKeep);
            if (by.isPresent()) {
                var details = Json.object();
                var loaded = details.putArray("active");
                next.values()
                        .forEach(b -> loaded.add(
                                b.compiled().name() + "@" + b.compiled().version()));
                var files = details.putArray("refused");
                refused.forEach(r -> files.add(r.source()));
                audit.append(tx, by.get(), "playbooks.reload", "playbooks", details);
            }
            return null;
        });
        for (var built : next.values()) {
            var compiled = built.compiled();
            versions.putIfAbsent(
                    new Key(compiled.name(), compiled.version()), new Loaded(compiled, built.declared(), now));
            noteAwaited(compiled);
        }
        active = Map.copyOf(next);
        refusals = List.copyOf(refused);
        var infos = next.values().stream().map(b -> info(b.compiled(), true)).toList();
        lastLoad = new LoadReport(infos, problems);
        return lastLoad;
    }

    private Built compile(Input input) {
        return switch (input) {
            case Input.Yaml yaml -> {
                var parsed = reader.read(yaml.source(), yaml.text());
                yield build(parsed.playbook(), yaml.source(), parsed.lines());
            }
            case Input.Built built -> build(built.playbook(), built.source(), SourceMap.none());
            case Input.Unreadable unreadable ->
                throw new PlaybookException(
                        List.of(new PlaybookException.Problem(unreadable.source(), 0, unreadable.reason())));
        };
    }

    /** Compiles a model and builds the agents it declares; refuses it whole if either fails. */
    private Built build(Playbook model, String source, SourceMap lines) {
        var known = new java.util.TreeSet<>(agents.names());
        model.agents().forEach(a -> known.add(a.name()));
        var stateful = new java.util.TreeSet<>(statefulNames());
        model.agents().stream().filter(Playbooks::stateful).forEach(a -> stateful.add(a.name()));
        var compiled = compiler.compile(
                model, source, lines, new PlaybookCompiler.Catalog(known, stateful, Optional.empty(), RUNNABLE));
        var problems = new ArrayList<PlaybookException.Problem>();
        triggerAndWindows(model, source, lines, problems);
        var declared = new LinkedHashMap<String, AgentBinding>();
        var ref = new PlaybookRef(compiled.name(), compiled.version());
        for (int i = 0; i < model.agents().size(); i++) {
            var declaration = model.agents().get(i);
            int line = lines.line("agents[" + i + "]");
            if (agents.find(declaration.name()).isPresent()) {
                problems.add(new PlaybookException.Problem(
                        source,
                        line,
                        "agent '" + declaration.name()
                                + "' is also a registered agent; give the playbook's agent another name"));
                continue;
            }
            var factory = factories.get(declaration.kind());
            if (factory == null) {
                problems.add(new PlaybookException.Problem(
                        source,
                        line,
                        "no extension builds agents of kind '" + declaration.kind() + "'"
                                + (factories.isEmpty() ? "" : "; known kinds: " + factories.keySet())));
                continue;
            }
            try {
                var agent = stateful(declaration)
                        ? new DeclaredStatefulAgent(
                                factory.create(withoutStateful(declaration), ref),
                                compiled.instanceEnd(declaration.name()))
                        : factory.create(declaration, ref);
                if (!agent.contract().name().equals(declaration.name())) {
                    throw new IllegalArgumentException(
                            "the built agent is named '" + agent.contract().name() + "'");
                }
                if (declared.putIfAbsent(declaration.name(), AgentBinding.of(agent)) != null) {
                    throw new IllegalArgumentException("it is declared twice");
                }
            } catch (IllegalArgumentException e) {
                problems.add(new PlaybookException.Problem(
                        source, line, "agent '" + declaration.name() + "': " + e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new PlaybookException(problems);
        }
        return new Built(compiled, Map.copyOf(declared));
    }

    /** A schedule needs an extension that runs schedules, and a window one that defines it. */
    private void triggerAndWindows(
            Playbook model, String source, SourceMap lines, List<PlaybookException.Problem> problems) {
        model.trigger().schedule().ifPresent(schedule -> {
            int line = lines.line("trigger");
            if (host.scheduler.isEmpty()) {
                problems.add(new PlaybookException.Problem(
                        source, line, "trigger: no extension runs schedules here; plug in aios-connectors"));
                return;
            }
            try {
                host.scheduler.get().check(schedule);
            } catch (IllegalArgumentException e) {
                problems.add(new PlaybookException.Problem(source, line, "trigger: " + e.getMessage()));
            }
        });
        var windows = host.windows.map(dev.aios.kernel.spi.BatchWindows::names).orElse(java.util.Set.of());
        model.defaults().window().ifPresent(window -> checkWindow(window, windows, source, 0, "defaults", problems));
        for (int i = 0; i < model.steps().size(); i++) {
            if (model.steps().get(i) instanceof dev.aios.api.AgentStep step) {
                int line = lines.line("steps[" + i + "]");
                step.options()
                        .window()
                        .ifPresent(window -> checkWindow(window, windows, source, line, step.id(), problems));
            }
        }
    }

    private static void checkWindow(
            String window,
            java.util.Set<String> windows,
            String source,
            int line,
            String where,
            List<PlaybookException.Problem> problems) {
        if (!windows.contains(window)) {
            problems.add(new PlaybookException.Problem(
                    source,
                    line,
                    where + ": window '" + window + "' is not defined; define it under windows: in aios.yaml, e.g. "
                            + window + ": \"01:00-05:00 Europe/Berlin\""
                            + (windows.isEmpty()
                                    ? ""
                                    : " (defined: " + String.join(", ", new java.util.TreeSet<>(windows)) + ")")));
        }
    }

    /** The active playbooks that start on a schedule, with their schedules. */
    Map<String, dev.aios.api.Schedule> scheduled() {
        var scheduled = new java.util.TreeMap<String, dev.aios.api.Schedule>();
        active.forEach(
                (name, built) -> built.compiled().model().trigger().schedule().ifPresent(s -> scheduled.put(name, s)));
        return scheduled;
    }

    /** An agent a playbook version declares. */
    Optional<AgentBinding> declared(PlaybookRef ref, String name) {
        var loaded = versions.get(new Key(ref.name(), ref.version()));
        return loaded == null
                ? Optional.empty()
                : Optional.ofNullable(loaded.declared().get(name));
    }

    /** Whether a playbook declares its agent {@code stateful: true}. */
    private static boolean stateful(dev.aios.api.AgentDeclaration declaration) {
        return declaration.spec().path("stateful").asBoolean(false);
    }

    /** The declaration as the agent's factory sees it: {@code stateful} and {@code end} are the kernel's. */
    private static dev.aios.api.AgentDeclaration withoutStateful(dev.aios.api.AgentDeclaration declaration) {
        var spec = (com.fasterxml.jackson.databind.node.ObjectNode) declaration.spec();
        spec.remove("stateful");
        spec.remove("end");
        return new dev.aios.api.AgentDeclaration(declaration.name(), declaration.kind(), spec);
    }

    /** The names of the stateful agents: registered, or declared by an active playbook. */
    Set<String> statefulNames() {
        var names = new java.util.TreeSet<String>();
        agents.names().forEach(name -> agents.find(name)
                .filter(b -> b.agent() instanceof dev.aios.api.Stateful)
                .ifPresent(b -> names.add(name)));
        active.values().forEach(b -> b.declared().forEach((name, binding) -> {
            if (binding.agent() instanceof dev.aios.api.Stateful) {
                names.add(name);
            }
        }));
        return names;
    }

    /** The stateful agent {@code name}: registered, or declared by an active playbook. */
    Optional<AgentBinding> stateful(String name) {
        var registered = agents.find(name);
        if (registered.isPresent()) {
            return registered.filter(b -> b.agent() instanceof dev.aios.api.Stateful);
        }
        return active.values().stream()
                .map(b -> b.declared().get(name))
                .filter(b -> b != null && b.agent() instanceof dev.aios.api.Stateful)
                .findFirst();
    }

    /** A registered agent, else one an active playbook declares, by name. */
    Optional<AgentBinding> agent(String name) {
        return agents.find(name).or(() -> active.values().stream()
                .map(b -> b.declared().get(name))
                .filter(java.util.Objects::nonNull)
                .findFirst());
    }

    /** The contracts of the agents the active playbooks declare. */
    List<AgentInfo> declaredInfos() {
        return active.values().stream()
                .flatMap(b -> b.declared().values().stream())
                .map(AgentBinding::info)
                .toList();
    }

    /** The name a refused input meant to define, when it can be told. */
    private Optional<String> nameOf(Input input) {
        return switch (input) {
            case Input.Built built -> Optional.of(built.playbook().name());
            case Input.Unreadable unreadable -> Optional.empty();
            case Input.Yaml yaml -> {
                try {
                    yield Optional.of(
                            reader.read(yaml.source(), yaml.text()).playbook().name());
                } catch (PlaybookException e) {
                    yield Optional.empty();
                }
            }
        };
    }

    /** The name of the active playbook last loaded from {@code source}, if any. */
    private Optional<String> activeFrom(String source) {
        return active.values().stream()
                .map(Built::compiled)
                .filter(compiled -> compiled.source().equals(source))
                .map(CompiledPlaybook::name)
                .findFirst();
    }

    /** A file's name without its directory and extension, to list a playbook that could not be read. */
    private static String stem(String source) {
        String name = source.substring(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** What the last load did. */
    LoadReport lastLoad() {
        return lastLoad;
    }

    /** The active playbooks triggered by events of {@code type}. */
    List<CompiledPlaybook> triggeredBy(String type) {
        return active.values().stream()
                .map(Built::compiled)
                .filter(p -> p.model().trigger().event().equals(type))
                .filter(p -> p.model().trigger().schedule().isEmpty())
                .sorted(Comparator.comparing(CompiledPlaybook::name))
                .toList();
    }

    /**
     * Compiles YAML text as a playbook version without loading it: for comparing a changed file
     * with the runs of the loaded version before the change is made.
     *
     * @throws PlaybookException when it does not compile
     */
    CompiledPlaybook preview(String origin, String yaml) {
        var parsed = reader.read(origin, yaml);
        return build(parsed.playbook(), origin, parsed.lines()).compiled();
    }

    /** The active version of {@code name}. */
    CompiledPlaybook active(String name) {
        var built = active.get(name);
        if (built == null) {
            throw new NotFoundException("no active playbook named '" + name + "'; list them with `aios playbooks`");
        }
        return built.compiled();
    }

    /**
     * Whether an await step of a loaded version waits for events of {@code type}. A run waits only
     * at a step of a loaded version, and a version is loaded before any of its runs starts.
     */
    boolean awaited(String type) {
        return awaited.contains(type);
    }

    private synchronized void noteAwaited(CompiledPlaybook compiled) {
        var types = new java.util.HashSet<>(awaited);
        for (var path : compiled.paths()) {
            if (compiled.step(path) instanceof CompiledStep.Await await) {
                types.add(await.eventType());
            }
        }
        if (types.size() > awaited.size()) {
            awaited = Set.copyOf(types);
        }
    }

    /** A version, active or not. */
    CompiledPlaybook version(String name, String version) {
        var loaded = versions.get(new Key(name, version));
        if (loaded == null) {
            throw new NotFoundException("playbook " + name + "@" + version + " is not loaded");
        }
        return loaded.compiled();
    }

    /**
     * Every version, active first, then by name and newest; each file the last load refused comes
     * right after the active version of its playbook (or among the inactive ones if it has none).
     */
    List<PlaybookInfo> infos() {
        var all = new ArrayList<PlaybookInfo>();
        versions.values().stream()
                .map(l -> info(l.compiled(), isActive(l.compiled())))
                .forEach(all::add);
        for (var refusal : refusals) {
            all.add(new PlaybookInfo(
                    refusal.name(),
                    "",
                    "",
                    "",
                    Optional.empty(),
                    refusal.source(),
                    List.of(),
                    false,
                    refusal.at(),
                    refusal.problems()));
        }
        return all.stream()
                .sorted(Comparator.comparing((PlaybookInfo i) -> !(i.active() || beside(i)))
                        .thenComparing(PlaybookInfo::name)
                        .thenComparing(i -> !i.active())
                        .thenComparing(PlaybookInfo::loadedAt, Comparator.reverseOrder()))
                .toList();
    }

    /** Whether {@code info} is a refused file whose playbook has an active version to sit beside. */
    private boolean beside(PlaybookInfo info) {
        return !info.refused().isEmpty() && active.containsKey(info.name());
    }

    private boolean isActive(CompiledPlaybook compiled) {
        var current = active.get(compiled.name());
        return current != null && current.compiled().version().equals(compiled.version());
    }

    private PlaybookInfo info(CompiledPlaybook compiled, boolean isActive) {
        var loaded = versions.get(new Key(compiled.name(), compiled.version()));
        var model = compiled.model();
        return new PlaybookInfo(
                compiled.name(),
                compiled.version(),
                model.description(),
                model.trigger().event(),
                model.trigger().when(),
                compiled.source(),
                model.steps().stream().map(s -> s.id() + " (" + s.kind() + ")").toList(),
                isActive,
                loaded == null ? clock.instant() : loaded.loadedAt(),
                List.of());
    }
}
