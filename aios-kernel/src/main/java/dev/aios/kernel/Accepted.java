package dev.aios.kernel;

import java.util.List;

/**
 * The answer to a sent event.
 *
 * @param eventId the event's id
 * @param duplicate true when an event with this id was accepted before; nothing new was started
 * @param started runs the event started
 * @param resumed waiting runs the event resumed
 * @param notes conditions that could not be evaluated for this event (the playbook or waiting run
 *     was then left alone), one line each
 */
public record Accepted(
        String eventId, boolean duplicate, List<String> started, List<String> resumed, List<String> notes) {
    public Accepted {
        started = List.copyOf(started);
        resumed = List.copyOf(resumed);
        notes = List.copyOf(notes);
    }
}
