package dev.aios.kernel;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.aios.kernel.internal.Wire;

/** Where the latest iteration of a step of a run is. */
public enum StepStatus {
    /** Due, waiting for a worker. */
    SCHEDULED,
    /** An attempt is executing. */
    RUNNING,
    /** An attempt failed; the next one is due later. */
    RETRYING,
    /** Could not start (a breaker is open, a limit was reached); tried again later without using up an attempt. */
    DEFERRED,
    /** Waits for time, an event or the operator. */
    WAITING,
    /** Holds steps that run inside it (parallel branches, forEach items, a child run) while they do. */
    IN_PROGRESS,
    /** The steps inside it ended; it is due to gather their results. */
    JOINING,
    /** Produced its output. */
    COMPLETED,
    /** Failed for good; parked for the operator. */
    FAILED,
    /** An await step gave up waiting and the run took its timeout path. */
    TIMED_OUT,
    /** Undone, as the run was compensated. */
    COMPENSATED,
    /** The run ended before the step did. */
    CANCELLED;

    /** The name stored and sent, e.g. {@code scheduled}. */
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
    public static StepStatus fromWire(String wire) {
        return Wire.parse(StepStatus.class, wire, "step status");
    }
}
