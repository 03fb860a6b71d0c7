package dev.aios.kernel.internal.store;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.aios.kernel.internal.Wire;

/** What a work item in the queue is for. */
public enum WorkKind {
    /** Execute a step (an attempt of it). */
    STEP,
    /** A wait step's time is up. */
    TIMER,
    /** An await step's time is up without a matching event. */
    TIMEOUT,
    /** Undo a completed step while the run is compensated. */
    COMPENSATE,
    /** Gather the results of a step that holds others (parallel branches, forEach items, a child run). */
    JOIN,
    /** The open task of a step is due to escalate. */
    ESCALATE;

    /** The name stored in the queue, e.g. {@code step}. */
    @JsonValue
    public String wire() {
        return Wire.name(this);
    }

    /** The wire name, so that the value prints as it is stored and sent. */
    @Override
    public String toString() {
        return wire();
    }

    /** Parses a stored name. */
    @JsonCreator
    public static WorkKind fromWire(String wire) {
        return Wire.parse(WorkKind.class, wire, "work kind");
    }
}
