package dev.aios.api;

import java.util.Objects;
import java.util.Optional;

/**
 * What starts a run: an event type and an optional CEL condition over {@code event}.
 *
 * @param event the event type
 * @param when CEL over {@code event}; empty means every event of the type
 */
public record Trigger(String event, Optional<String> when) {
    public Trigger {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(when, "when");
    }

    /** A trigger on every event of {@code type}. */
    public static Trigger on(String type) {
        return new Trigger(type, Optional.empty());
    }

    /** A copy that only fires when {@code condition} holds. */
    public Trigger withWhen(String condition) {
        return new Trigger(event, Optional.of(condition));
    }
}
