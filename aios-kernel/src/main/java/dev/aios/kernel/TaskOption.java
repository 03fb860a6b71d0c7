package dev.aios.kernel;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.aios.kernel.internal.Wire;

/** An answer the operator can give to a task. */
public enum TaskOption {
    /** Approve as proposed. */
    APPROVE,
    /** Approve with an edited output. */
    EDIT,
    /** Reject. */
    REJECT,
    /** Try the failed step again. */
    RETRY,
    /** Go on past the failed step with a supplied output. */
    SKIP,
    /** Undo the run's completed steps. */
    COMPENSATE,
    /** Cancel the run. */
    CANCEL;

    /** The name stored and sent, e.g. {@code approve}. */
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
    public static TaskOption fromWire(String wire) {
        return Wire.parse(TaskOption.class, wire, "task option");
    }
}
