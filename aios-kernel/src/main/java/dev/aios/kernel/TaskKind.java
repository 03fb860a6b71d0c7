package dev.aios.kernel;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.aios.kernel.internal.Wire;

/** What a task in the operator's inbox asks. */
public enum TaskKind {
    /** Review an agent's output that its approval rule holds back. */
    REVIEW,
    /** Finish a draft an agent could not finish on its own. */
    DRAFT,
    /** Approve or reject at an approval step. */
    APPROVAL,
    /** Decide about a step that failed for good: retry, skip, compensate or cancel. */
    DEAD_LETTER,
    /** Decide about an undo that failed for good: retry or skip. */
    COMPENSATION;

    /** The name stored and sent, e.g. {@code review}. */
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
    public static TaskKind fromWire(String wire) {
        return Wire.parse(TaskKind.class, wire, "task kind");
    }
}
