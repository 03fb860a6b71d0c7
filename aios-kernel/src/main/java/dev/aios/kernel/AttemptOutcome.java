package dev.aios.kernel;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.aios.kernel.internal.Wire;

/** How one attempt at a step ended. */
public enum AttemptOutcome {
    /** Still executing. */
    RUNNING,
    /** The step went on to wait (a timer, an event, the operator). */
    WAITING,
    /** Could not start; it did not use up the attempt. */
    DEFERRED,
    /** The step completed. */
    COMPLETED,
    /** The attempt failed. */
    FAILED,
    /** The worker stopped (it crashed or lost its lease) before the attempt ended. */
    ABANDONED;

    /** The name stored and sent, e.g. {@code running}. */
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
    public static AttemptOutcome fromWire(String wire) {
        return Wire.parse(AttemptOutcome.class, wire, "attempt outcome");
    }
}
