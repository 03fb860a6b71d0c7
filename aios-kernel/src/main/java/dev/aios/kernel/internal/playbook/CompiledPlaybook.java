package dev.aios.kernel.internal.playbook;

import dev.aios.api.Playbook;
import dev.aios.kernel.internal.cel.Expression;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A playbook version ready to run: its model, content hash, trigger condition and compiled steps.
 * Immutable; made by {@link PlaybookCompiler}.
 */
public final class CompiledPlaybook {

    private final Playbook model;
    private final String version;
    private final String source;
    private final Optional<Expression> triggerWhen;
    private final Map<String, CompiledStep> steps;
    private final Map<String, Expression> instanceEnds;

    CompiledPlaybook(
            Playbook model,
            String version,
            String source,
            Optional<Expression> triggerWhen,
            Map<String, CompiledStep> steps,
            Map<String, Expression> instanceEnds) {
        this.model = Objects.requireNonNull(model, "model");
        this.version = Objects.requireNonNull(version, "version");
        this.source = Objects.requireNonNull(source, "source");
        this.triggerWhen = Objects.requireNonNull(triggerWhen, "triggerWhen");
        this.steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
        this.instanceEnds = Map.copyOf(instanceEnds);
    }

    /** The playbook as written. */
    public Playbook model() {
        return model;
    }

    /** The playbook's name. */
    public String name() {
        return model.name();
    }

    /** The content hash identifying this version (see {@link PlaybookJson#version}). */
    public String version() {
        return version;
    }

    /** Where it came from: a file, a class path resource, or {@code builder:NAME}. */
    public String source() {
        return source;
    }

    /** The id of the step a run starts with. */
    public String firstStep() {
        return model.steps().get(0).id();
    }

    /** The condition over {@code event} an event of the trigger's type must meet to start a run. */
    public Optional<Expression> triggerWhen() {
        return triggerWhen;
    }

    /**
     * The condition under which the declared stateful agent {@code agent} ends its instance after
     * handling a message ({@code end:}, CEL over {@code state} and {@code message}), if it has one.
     */
    public Optional<Expression> instanceEnd(String agent) {
        return Optional.ofNullable(instanceEnds.get(agent));
    }

    /**
     * The step at {@code path}: a top-level step's id, or the path of a nested step (see {@link
     * StepPaths}), with or without iteration indices.
     *
     * @throws IllegalArgumentException when this version has no such step
     */
    public CompiledStep step(String path) {
        var step = steps.get(StepPaths.staticPath(path));
        if (step == null) {
            throw new IllegalArgumentException("playbook " + name() + " version " + version + " has no step '" + path
                    + "'; its steps are " + String.join(", ", steps.keySet()));
        }
        return step;
    }

    /** Whether this version has a step at {@code path}. */
    public boolean has(String path) {
        return steps.containsKey(StepPaths.staticPath(path));
    }

    /** The top-level step ids in the order written. */
    public List<String> stepIds() {
        return steps.keySet().stream().filter(path -> path.indexOf('/') < 0).toList();
    }

    /** Every step's static path, nested ones included, in the order compiled. */
    public List<String> paths() {
        return List.copyOf(steps.keySet());
    }

    @Override
    public String toString() {
        return name() + "@" + version;
    }
}
