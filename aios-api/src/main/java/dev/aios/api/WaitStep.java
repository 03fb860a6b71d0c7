package dev.aios.api;

import java.util.Objects;
import java.util.Optional;

/**
 * A durable pause: for a duration or until a time. Exactly one of the two is set.
 *
 * @param id the step's id
 * @param duration an ISO-8601 ({@code P3D}) or short ({@code 72h}, {@code 90s}) duration, or a CEL
 *     expression over the run yielding one
 * @param until CEL over the run yielding a timestamp (or an ISO-8601 instant string)
 * @param next where the run goes next
 */
public record WaitStep(String id, Optional<String> duration, Optional<String> until, Optional<String> next)
        implements Step {

    public WaitStep {
        Step.checkId(id);
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(next, "next");
        if (duration.isPresent() == until.isPresent()) {
            throw new IllegalArgumentException(
                    "wait step '" + id + "' needs exactly one of 'for' (a duration) or 'until' (a time)");
        }
    }

    /** A wait for {@code duration}. */
    public static WaitStep forDuration(String id, String duration) {
        return new WaitStep(id, Optional.of(duration), Optional.empty(), Optional.empty());
    }

    /** A wait until the time CEL {@code until} yields. */
    public static WaitStep until(String id, String until) {
        return new WaitStep(id, Optional.empty(), Optional.of(until), Optional.empty());
    }

    /** A copy that continues with {@code next}. */
    public WaitStep withNext(String next) {
        return new WaitStep(id, duration, until, Optional.of(next));
    }

    @Override
    public String kind() {
        return "wait";
    }
}
