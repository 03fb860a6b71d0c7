package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An immutable business fact, such as {@code lead.received} about subject {@code acme}.
 *
 * <p>CloudEvents-compatible: {@code id}, {@code type}, {@code source}, {@code subject}, {@code
 * time} and {@code data} map to the attributes of the same names.
 *
 * @param id unique id; an event whose id was already accepted is acknowledged and ignored
 * @param type dotted lower-case name, e.g. {@code invoice.paid}
 * @param subject what the event is about (customer, project, …), may be empty
 * @param source who produced it, e.g. {@code cli}, {@code webhook:stripe}, {@code run:ID}
 * @param time when it happened
 * @param data the payload, a JSON object
 * @param correlationId the id shared by all events of one business conversation
 * @param causationId the id of the event or run that caused this one, or empty
 */
public record Event(
        String id,
        String type,
        String subject,
        String source,
        Instant time,
        JsonNode data,
        String correlationId,
        String causationId) {

    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)*");

    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(causationId, "causationId");
        if (id.isBlank() || id.length() > 200) {
            throw new IllegalArgumentException("event id must be 1 to 200 characters");
        }
        if (!isValidType(type)) {
            throw new IllegalArgumentException(
                    "event type '" + type + "' must be dotted lower-case words, e.g. 'lead.received'");
        }
        if (subject.length() > 200) {
            throw new IllegalArgumentException("event subject must be at most 200 characters");
        }
        data = data == null || data.isNull() ? JsonNodeFactory.instance.objectNode() : data.deepCopy();
        if (!data.isObject()) {
            throw new IllegalArgumentException("event data must be a JSON object, was " + data.getNodeType());
        }
    }

    /** Whether {@code type} is a well-formed event type. */
    public static boolean isValidType(String type) {
        return type != null && type.length() <= 200 && TYPE.matcher(type).matches();
    }

    /** The payload; a copy, so the event stays immutable. */
    @Override
    public JsonNode data() {
        return data.deepCopy();
    }
}
