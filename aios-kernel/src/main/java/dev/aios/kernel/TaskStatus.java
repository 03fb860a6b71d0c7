package dev.aios.kernel;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.aios.kernel.internal.Wire;

/** Whether a task is open, and how it was closed. */
public enum TaskStatus {
    /** Waits for the operator. */
    OPEN,
    /** Approved, as proposed or edited. */
    APPROVED,
    /** Rejected. */
    REJECTED,
    /** The failed step (or undo) is tried again. */
    RETRIED,
    /** The run went on past the failed step (or undo). */
    SKIPPED,
    /** The operator chose to undo the run. */
    COMPENSATED,
    /** Closed without an answer: the run was cancelled, undone or ended. */
    CANCELLED;

    /** The name stored and sent, e.g. {@code open}. */
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
    public static TaskStatus fromWire(String wire) {
        return Wire.parse(TaskStatus.class, wire, "task status");
    }
}
