package dev.aios.kernel;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.aios.kernel.internal.Wire;

/** What a step of a playbook does; its wire name is the key that introduces it in YAML. */
public enum StepKind implements Wire.Named {
    /** Calls an agent. */
    AGENT("agent"),
    /** Asks the operator to approve. */
    APPROVAL("approval"),
    /** Sleeps for a while or until a time. */
    WAIT("wait"),
    /** Waits for an event, with a timeout. */
    AWAIT("await"),
    /** Chooses the next step by conditions. */
    BRANCH("branch"),
    /** Publishes an event. */
    EMIT("emit"),
    /** Runs branches side by side and joins them. */
    PARALLEL("parallel"),
    /** Runs a body once for each item of a list. */
    FOR_EACH("forEach"),
    /** Runs another playbook as a child run. */
    CALL("call"),
    /** Lets agents take bounded turns. */
    CONVERSATION("conversation"),
    /** Sends a message to a stateful agent. */
    SEND("send");

    private final String wire;

    StepKind(String wire) {
        this.wire = wire;
    }

    /** The name stored and sent, e.g. {@code agent} or {@code forEach}. */
    @JsonValue
    @Override
    public String wire() {
        return wire;
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
