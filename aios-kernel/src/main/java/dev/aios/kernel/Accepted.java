package dev.aios.kernel;

import java.util.List;

/**
 * The answer to a sent event.
 *
 * @param eventId the event's id
 * @param duplicate true when an event with this id was accepted before; nothing new was started
 * @param started runs the event started
 * @param resumed waiting runs the event resumed
 */
public record Accepted(String eventId, boolean duplicate, List<String> started, List<String> resumed) {
    public Accepted {
        started = List.copyOf(started);
        resumed = List.copyOf(resumed);
    }
}
