package dev.aios.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named process: a trigger and a graph of steps. Written in YAML or with {@link #builder}; both
 * give the same model, and the kernel identifies a version by the hash of its content.
 *
 * <pre>{@code
 * Playbook.builder("onboarding")
 *     .trigger(Trigger.on("lead.received"))
 *     .step(AgentStep.of("qualify", "qualify-lead").withInput("email", "event.data.email"))
 *     .step(WaitStep.forDuration("cool-off", "P1D"))
 *     .build();
 * }</pre>
 *
 * @param name unique name, lower-case words joined by dashes
 * @param description one sentence for the operator
 * @param trigger what starts a run
 * @param steps the steps; the first is where a run starts
 * @param defaults options for every step that does not set its own (a compensation is per step)
 * @param agents agents defined by this playbook, such as prompt agents
 */
public record Playbook(
        String name,
        String description,
        Trigger trigger,
        List<Step> steps,
        StepOptions defaults,
        List<AgentDeclaration> agents) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    public Playbook {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(trigger, "trigger");
        steps = List.copyOf(steps);
        if (!NAME.matcher(name).matches() || name.length() > 100) {
            throw new IllegalArgumentException(
                    "playbook name '" + name + "' must be lower-case words joined by dashes, e.g. 'lead-to-invoice'");
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("playbook '" + name + "' has no steps");
        }
        Objects.requireNonNull(defaults, "defaults");
        agents = List.copyOf(agents);
        if (defaults.compensation().isPresent()) {
            throw new IllegalArgumentException(
                    "playbook '" + name + "': a compensation belongs to the step it undoes, not to the defaults");
        }
    }

    /** A playbook with no defaults and no agents of its own. */
    public Playbook(String name, String description, Trigger trigger, List<Step> steps) {
        this(name, description, trigger, steps, StepOptions.NONE, List.of());
    }

    /** A playbook with no agents of its own. */
    public Playbook(String name, String description, Trigger trigger, List<Step> steps, StepOptions defaults) {
        this(name, description, trigger, steps, defaults, List.of());
    }

    /** Starts a playbook named {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a {@link Playbook} step by step. */
    public static final class Builder {
        private final String name;
        private String description = "";
        private Trigger trigger;
        private final List<Step> steps = new ArrayList<>();
        private StepOptions defaults = StepOptions.NONE;
        private final List<AgentDeclaration> agents = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        /** Sets the description. */
        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /** Sets what starts a run. */
        public Builder trigger(Trigger trigger) {
            this.trigger = trigger;
            return this;
        }

        /** Sets the options of every step that does not set its own. */
        public Builder defaults(StepOptions defaults) {
            this.defaults = Objects.requireNonNull(defaults, "defaults");
            return this;
        }

        /** Declares an agent of this playbook, e.g. a prompt agent. */
        public Builder agent(AgentDeclaration agent) {
            agents.add(Objects.requireNonNull(agent, "agent"));
            return this;
        }

        /** Appends a step. */
        public Builder step(Step step) {
            steps.add(Objects.requireNonNull(step, "step"));
            return this;
        }

        /** The playbook; the kernel validates the graph when it is registered. */
        public Playbook build() {
            if (trigger == null) {
                throw new IllegalArgumentException("playbook '" + name + "' needs a trigger");
            }
            return new Playbook(name, description, trigger, steps, defaults, agents);
        }
    }
}
