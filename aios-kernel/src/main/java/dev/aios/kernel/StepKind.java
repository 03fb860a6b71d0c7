package dev.aios.kernel;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.aios.kernel.internal.Wire;

/** What a step of a playbook does, as written in YAML. */
public enum StepKind {
    /** Calls an agent. */
    AGENT,
    /** Asks the operator to approve. */
    APPROVAL,
    /** Sleeps for a while or until a time. */
    WAIT,
    /** Waits for an event, with a timeout. */
    AWAIT,
    /** Chooses the next step by conditions. */
    BRANCH,
    /** Publishes an event. */
    EMIT;

    /** The name stored and sent, e.g. {@code agent}. */
    @JsonValue
    public String wire() {
        return Wire.name(this);
    }

    /** The wire name, so that the value prints as it is stored and sent. */
    @Override
    public String toString() {
        return wire();
    }

    /** Parses a wire name. */
    @JsonCreator
    public static StepKind fromWire(String wire) {
        return Wire.parse(StepKind.class, wire, "step kind");
    }
}
