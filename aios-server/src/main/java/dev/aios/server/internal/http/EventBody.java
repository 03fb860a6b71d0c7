package dev.aios.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Event;
import dev.aios.kernel.InvalidInputException;
import dev.aios.server.internal.Json;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Reads an {@link Event} from a request body, in the aios shape or as a CloudEvents 1.0 structured
 * JSON event. Fields left out get defaults: a random id, source {@code api}, the current time, no
 * subject, the event's own id as correlation id.
 */
final class EventBody {
    /** The media type of a CloudEvents structured JSON event. */
    static final String CLOUD_EVENTS_TYPE = "application/cloudevents+json";

    private static final String DEFAULT_SOURCE = "api";
    private static final Set<String> FIELDS =
            Set.of("id", "type", "subject", "data", "source", "time", "correlationId", "causationId");

    private EventBody() {}

    /** Whether a body in this media type (or with a {@code specversion} field) is a CloudEvent. */
    static boolean isCloudEvent(String contentType, RequestBody body) {
        var type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        return type.startsWith(CLOUD_EVENTS_TYPE) || body.has("specversion");
    }

    /** The event in the aios shape; unknown fields are refused. */
    static Event plain(RequestBody body, Instant now) {
        body.allowOnly(FIELDS);
        return event(
                body.text("id"),
                body.text("type"),
                body.text("subject"),
                body.text("source"),
                body.text("time"),
                body,
                body.text("correlationId"),
                body.text("causationId"),
                now);
    }

    /** The event as CloudEvents structured JSON; extension attributes other than ours are ignored. */
    static Event cloudEvent(RequestBody body, Instant now) {
        var version = body.text("specversion");
        if (version.isPresent() && !version.get().equals("1.0")) {
            throw new InvalidInputException(
                    "field 'specversion' must be '1.0' (CloudEvents 1.0), was '" + version.get() + "'");
        }
        if (body.has("data_base64")) {
            throw new InvalidInputException(
                    "field 'data_base64' is not supported; send the data as a JSON object in 'data'");
        }
        body.text("datacontenttype").ifPresent(EventBody::checkJsonContentType);
        return event(
                body.text("id"),
                body.text("type"),
                body.text("subject"),
                body.text("source"),
                body.text("time"),
                body,
                body.text("correlationid"),
                body.text("causationid"),
                now);
    }

    private static Event event(
            Optional<String> id,
            Optional<String> type,
            Optional<String> subject,
            Optional<String> source,
            Optional<String> time,
            RequestBody body,
            Optional<String> correlationId,
            Optional<String> causationId,
            Instant now) {
        var eventType = type.orElseThrow(
                () -> new InvalidInputException("field 'type' is required, e.g. \"type\": \"lead.received\""));
        if (!Event.isValidType(eventType)) {
            throw new InvalidInputException(
                    "field 'type' must be dotted lower-case words, e.g. 'lead.received', was '" + eventType + "'");
        }
        var eventId = id.orElseGet(() -> UUID.randomUUID().toString());
        ObjectNode data = body.object("data").orElseGet(() -> Json.mapper().createObjectNode());
        try {
            return new Event(
                    eventId,
                    eventType,
                    subject.orElse(""),
                    source.filter(s -> !s.isBlank()).orElse(DEFAULT_SOURCE),
                    time.map(EventBody::parseTime).orElse(now),
                    data,
                    correlationId.filter(s -> !s.isBlank()).orElse(eventId),
                    causationId.orElse(""));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
    }

    private static Instant parseTime(String text) {
        try {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(
                    "field 'time' must be an RFC 3339 time such as 2025-01-31T09:30:00Z, was '" + text + "'");
        }
    }

    private static void checkJsonContentType(String contentType) {
        var type = contentType.toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/json") && !type.contains("+json")) {
            throw new InvalidInputException(
                    "only JSON data is supported; field 'datacontenttype' was '" + contentType + "'");
        }
    }
}
