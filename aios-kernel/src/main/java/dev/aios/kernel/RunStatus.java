package dev.aios.kernel;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/** Where a run is in its life. The allowed changes between them are listed in {@code RunTransitions}. */
public enum RunStatus {
    /** Has a step to execute now or executing. */
    RUNNING,
    /** Waits for time, an event or the operator. */
    WAITING,
    /** A step failed for good; a task in the inbox says what the operator can do. */
    NEEDS_ATTENTION,
    /** Undoing completed steps in reverse order. */
    COMPENSATING,
    /** Finished its last step. */
    COMPLETED,
    /** Ended without finishing, e.g. rejected by the operator. */
    FAILED,
    /** Stopped by the operator. */
    CANCELLED,
    /** Ended after undoing its completed steps. */
    COMPENSATED;

    /** Whether the run can never change again. */
    public boolean isFinal() {
        return switch (this) {
            case COMPLETED, FAILED, CANCELLED, COMPENSATED -> true;
            case RUNNING, WAITING, NEEDS_ATTENTION, COMPENSATING -> false;
        };
    }

    /** The name used on the wire and in the CLI: lower case with dashes, e.g. {@code needs-attention}. */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses a wire name, e.g. {@code needs-attention}. */
    @JsonCreator
    public static RunStatus fromWire(String wire) {
        return Arrays.stream(values())
                .filter(s -> s.wire().equals(wire))
                .findFirst()
                .orElseThrow(() -> new InvalidInputException("unknown run status '" + wire + "'; use one of "
                        + String.join(
                                ", ",
                                Arrays.stream(values()).map(RunStatus::wire).toList())));
    }
}
