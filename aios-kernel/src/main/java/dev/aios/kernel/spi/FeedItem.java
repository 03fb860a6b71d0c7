package dev.aios.kernel.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * An event or a journal entry as the kernel recorded it.
 *
 * @param source {@code event} or {@code journal}
 * @param position the event's sequence number, or the journal entry's global position
 * @param runId the run of a journal entry, "" for an event
 * @param type the event's or entry's type
 * @param subject what it is about
 * @param at when it was recorded
 * @param payload its content (the event's whole JSON, the entry's data)
 */
public record FeedItem(
        String source, long position, String runId, String type, String subject, Instant at, JsonNode payload) {}
