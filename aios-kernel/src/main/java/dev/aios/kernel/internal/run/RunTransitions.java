package dev.aios.kernel.internal.run;

import static dev.aios.kernel.RunStatus.CANCELLED;
import static dev.aios.kernel.RunStatus.COMPENSATED;
import static dev.aios.kernel.RunStatus.COMPENSATING;
import static dev.aios.kernel.RunStatus.COMPLETED;
import static dev.aios.kernel.RunStatus.FAILED;
import static dev.aios.kernel.RunStatus.NEEDS_ATTENTION;
import static dev.aios.kernel.RunStatus.RUNNING;
import static dev.aios.kernel.RunStatus.WAITING;

import dev.aios.kernel.RunStatus;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The one rule for how a run's status may change. Staying in a status is always allowed for the
 * non-final ones; nothing leaves a final status, except that a completed run called by another is
 * undone (compensating) when its caller is undone.
 */
public final class RunTransitions {
    private static final Map<RunStatus, Set<RunStatus>> ALLOWED = new EnumMap<>(RunStatus.class);

    static {
        ALLOWED.put(RUNNING, EnumSet.of(RUNNING, WAITING, NEEDS_ATTENTION, COMPENSATING, COMPLETED, FAILED, CANCELLED));
        ALLOWED.put(WAITING, EnumSet.of(WAITING, RUNNING, NEEDS_ATTENTION, COMPENSATING, FAILED, CANCELLED));
        ALLOWED.put(NEEDS_ATTENTION, EnumSet.of(NEEDS_ATTENTION, RUNNING, COMPENSATING, FAILED, CANCELLED));
        ALLOWED.put(COMPENSATING, EnumSet.of(COMPENSATING, COMPENSATED, NEEDS_ATTENTION, FAILED));
        // A completed child run is undone when the run that called it is undone.
        ALLOWED.put(COMPLETED, EnumSet.of(COMPENSATING));
        ALLOWED.put(FAILED, EnumSet.noneOf(RunStatus.class));
        ALLOWED.put(CANCELLED, EnumSet.noneOf(RunStatus.class));
        ALLOWED.put(COMPENSATED, EnumSet.noneOf(RunStatus.class));
    }

    private RunTransitions() {}

    /** Whether a run may go from {@code from} to {@code to}. */
    public static boolean allowed(RunStatus from, RunStatus to) {
        return ALLOWED.get(from).contains(to);
    }

    /** The statuses reachable from {@code from}. */
    public static Set<RunStatus> from(RunStatus from) {
        return EnumSet.copyOf(ALLOWED.get(from).isEmpty() ? EnumSet.noneOf(RunStatus.class) : ALLOWED.get(from));
    }

    /** Throws when the change is not allowed; {@code cause} names the journal entry. */
    public static void check(String runId, RunStatus from, RunStatus to, String cause) {
        if (!allowed(from, to)) {
            throw new IllegalStateException(
                    "run " + runId + " cannot go from " + from.wire() + " to " + to.wire() + " (" + cause + ")");
        }
    }
}
