package dev.aios.api;

import java.util.Objects;
import java.util.Optional;

/**
 * Waits for an event of a type that matches a CEL condition against the run ({@code event} is the
 * candidate; {@code run}, {@code steps} and {@code trigger} describe the waiting run). The matched
 * event becomes the step's output. When none arrives in time the run goes to {@link #onTimeout()}.
 *
 * @param id the step's id
 * @param event the event type awaited
 * @param match CEL condition the event must satisfy; empty means same subject as the run
 * @param timeout how long to wait, as for {@link WaitStep#duration()}
 * @param onTimeout where the run goes when the timeout passes
 * @param next where the run goes when the event arrives
 */
public record AwaitStep(
        String id, String event, Optional<String> match, String timeout, String onTimeout, Optional<String> next)
        implements Step {

    public AwaitStep {
        Step.checkId(id);
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(onTimeout, "onTimeout");
        Objects.requireNonNull(next, "next");
    }

    /** Awaits {@code event} about the run's subject for {@code timeout}, then goes to {@code onTimeout}. */
    public static AwaitStep of(String id, String event, String timeout, String onTimeout) {
        return new AwaitStep(id, event, Optional.empty(), timeout, onTimeout, Optional.empty());
    }

    /** A copy with a match condition. */
    public AwaitStep withMatch(String match) {
        return new AwaitStep(id, event, Optional.of(match), timeout, onTimeout, next);
    }

    /** A copy that continues with {@code next} when the event arrives. */
    public AwaitStep withNext(String next) {
        return new AwaitStep(id, event, match, timeout, onTimeout, Optional.of(next));
    }

    @Override
    public String kind() {
        return "await";
    }
}
