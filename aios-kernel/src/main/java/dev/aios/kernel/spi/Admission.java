package dev.aios.kernel.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Whether an agent step runs, as its policy says before the agent is called. Each carries {@code
 * seen}: the flag state the policy applied (agent, segment, state, policy version), which the kernel
 * records in the step's provenance as a {@code flag} note, so the run shows which flag it saw.
 */
public sealed interface Admission {

    /** What the step's provenance records of the flag state. */
    JsonNode seen();

    /** The agent runs as usual. */
    record Run(JsonNode seen) implements Admission {
        public Run {
            Objects.requireNonNull(seen, "seen");
        }
    }

    /**
     * The agent is switched off: the step's declared fallback agent does the step, or, without one,
     * the step becomes a task for the operator to do by hand, explained by {@code why}.
     */
    record Off(String why, JsonNode seen) implements Admission {
        public Off {
            Objects.requireNonNull(why, "why");
            Objects.requireNonNull(seen, "seen");
        }
    }

    /**
     * The agent runs in the shadow: its output is shown to the operator beside a task to do the step
     * by hand, and never committed. Its effects are not performed, except through the connectors in
     * {@code effects} (model providers, typically): any other effect fails the shadow run.
     */
    record Shadow(String why, Set<String> effects, JsonNode seen) implements Admission {
        public Shadow {
            Objects.requireNonNull(why, "why");
            effects = Set.copyOf(effects);
            Objects.requireNonNull(seen, "seen");
        }
    }

    /** The step may not run now (a rate limit); it waits until {@code until} without using an attempt. */
    record Defer(String why, Instant until, JsonNode seen) implements Admission {
        public Defer {
            Objects.requireNonNull(why, "why");
            Objects.requireNonNull(until, "until");
            Objects.requireNonNull(seen, "seen");
        }
    }
}
