package dev.aios.api;

import java.util.Objects;
import java.util.Optional;

/**
 * What starts a run: events of a type (with an optional CEL condition over {@code event}), or a
 * schedule. A scheduled playbook is started by its schedule alone, each firing an event of type
 * {@link Schedule#EVENT_TYPE}; events sent from outside do not start it.
 *
 * @param event the event type
 * @param when CEL over {@code event}; empty means every event of the type
 * @param schedule when the trigger is a schedule, when it fires
 */
public record Trigger(String event, Optional<String> when, Optional<Schedule> schedule) {
    public Trigger {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(when, "when");
        Objects.requireNonNull(schedule, "schedule");
        if (schedule.isPresent() && !event.equals(Schedule.EVENT_TYPE)) {
            throw new IllegalArgumentException("a scheduled trigger's events are " + Schedule.EVENT_TYPE);
        }
    }

    /** A trigger on events of {@code event}, when {@code when} holds. */
    public Trigger(String event, Optional<String> when) {
        this(event, when, Optional.empty());
    }

    /** A trigger on every event of {@code type}. */
    public static Trigger on(String type) {
        return new Trigger(type, Optional.empty());
    }

    /** A trigger that fires on {@code schedule}. */
    public static Trigger on(Schedule schedule) {
        return new Trigger(Schedule.EVENT_TYPE, Optional.empty(), Optional.of(schedule));
    }

    /** A copy that only fires when {@code condition} holds. */
    public Trigger withWhen(String condition) {
        return new Trigger(event, Optional.of(condition), schedule);
    }
}
