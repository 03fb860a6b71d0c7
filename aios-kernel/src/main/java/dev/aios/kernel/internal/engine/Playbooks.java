package dev.aios.kernel.internal.engine;

import dev.aios.api.Playbook;
import dev.aios.kernel.LoadReport;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.PlaybookException;
import dev.aios.kernel.PlaybookInfo;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.PlaybookCompiler;
import dev.aios.kernel.internal.playbook.PlaybookJson;
import dev.aios.kernel.internal.playbook.SourceMap;
import dev.aios.kernel.internal.playbook.YamlPlaybookReader;
import dev.aios.kernel.internal.store.Database;
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
import java.util.function.Supplier;
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

    private record Key(String name, String version) {}

    private record Loaded(CompiledPlaybook compiled, Instant loadedAt) {}

    private final Database db;
    private final PlaybookCompiler compiler;
    private final YamlPlaybookReader reader = new YamlPlaybookReader();
    private final Supplier<Set<String>> agents;
    private final InstantSource clock;
    private final Map<Key, Loaded> versions = new ConcurrentHashMap<>();
    private volatile Map<String, CompiledPlaybook> active = Map.of();
    private volatile LoadReport lastLoad = new LoadReport(List.of(), List.of());

    Playbooks(Database db, PlaybookCompiler compiler, Supplier<Set<String>> agents, InstantSource clock) {
        this.db = db;
        this.compiler = compiler;
        this.agents = agents;
        this.clock = clock;
    }

    /** Loads every version stored by earlier runs of this data directory. */
    void loadStored() {
        record StoredVersion(String name, String version, String source, String definition, Instant loadedAt) {}
        var stored = db.read(tx -> tx.query(
                "SELECT name, version, source, definition, loaded_at FROM playbooks",
                r -> new StoredVersion(
                        r.text("name"),
                        r.text("version"),
                        r.text("source"),
                        r.text("definition"),
                        r.instant("loaded_at"))));
        for (var s : stored) {
            try {
                Playbook model = PlaybookJson.fromJson(Json.tree(s.definition()));
                var compiled = compiler.compile(model, s.source(), SourceMap.none(), agents.get());
                versions.put(new Key(s.name(), s.version()), new Loaded(compiled, s.loadedAt()));
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
        var problems = new ArrayList<PlaybookException.Problem>();
        var next = new LinkedHashMap<String, CompiledPlaybook>();
        var sources = new HashMap<String, String>();
        var refusedNames = new ArrayList<String>();
        for (var input : inputs) {
            try {
                var compiled = compile(input);
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
                next.put(compiled.name(), compiled);
            } catch (PlaybookException e) {
                problems.addAll(e.problems());
                nameOf(input).ifPresent(refusedNames::add);
            }
        }
        // A refused file keeps the version that was active before, so a typo does not stop a playbook.
        for (String name : refusedNames) {
            if (!next.containsKey(name) && active.containsKey(name)) {
                next.put(name, active.get(name));
            }
        }
        Instant now = clock.instant();
        db.write(tx -> {
            tx.update("UPDATE playbooks SET active = 0");
            for (var compiled : next.values()) {
                tx.update(
                        "INSERT INTO playbooks (name, version, source, definition, loaded_at, active) VALUES (?, ?, ?, ?, ?, 1)"
                                + " ON CONFLICT (name, version) DO UPDATE SET active = 1, source = excluded.source",
                        compiled.name(),
                        compiled.version(),
                        compiled.source(),
                        Json.text(PlaybookJson.toJson(compiled.model())),
                        now);
            }
            return null;
        });
        for (var compiled : next.values()) {
            versions.putIfAbsent(new Key(compiled.name(), compiled.version()), new Loaded(compiled, now));
        }
        active = Map.copyOf(next);
        var infos = next.values().stream().map(c -> info(c, true)).toList();
        lastLoad = new LoadReport(infos, problems);
        return lastLoad;
    }

    private CompiledPlaybook compile(Input input) {
        return switch (input) {
            case Input.Yaml yaml -> {
                var parsed = reader.read(yaml.source(), yaml.text());
                yield compiler.compile(parsed.playbook(), yaml.source(), parsed.lines(), agents.get());
            }
            case Input.Built built ->
                compiler.compile(built.playbook(), built.source(), SourceMap.none(), agents.get());
            case Input.Unreadable unreadable ->
                throw new PlaybookException(
                        List.of(new PlaybookException.Problem(unreadable.source(), 0, unreadable.reason())));
        };
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

    /** What the last load did. */
    LoadReport lastLoad() {
        return lastLoad;
    }

    /** The active playbooks triggered by events of {@code type}. */
    List<CompiledPlaybook> triggeredBy(String type) {
        return active.values().stream()
                .filter(p -> p.model().trigger().event().equals(type))
                .sorted(Comparator.comparing(CompiledPlaybook::name))
                .toList();
    }

    /** A version, active or not. */
    CompiledPlaybook version(String name, String version) {
        var loaded = versions.get(new Key(name, version));
        if (loaded == null) {
            throw new NotFoundException("playbook " + name + "@" + version + " is not loaded");
        }
        return loaded.compiled();
    }

    /** Every version, active first, then by name and newest. */
    List<PlaybookInfo> infos() {
        return versions.values().stream()
                .map(l -> info(l.compiled(), isActive(l.compiled())))
                .sorted(Comparator.comparing((PlaybookInfo i) -> !i.active())
                        .thenComparing(PlaybookInfo::name)
                        .thenComparing(PlaybookInfo::loadedAt, Comparator.reverseOrder()))
                .toList();
    }

    private boolean isActive(CompiledPlaybook compiled) {
        var current = active.get(compiled.name());
        return current != null && current.version().equals(compiled.version());
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
                loaded == null ? clock.instant() : loaded.loadedAt());
    }
}
