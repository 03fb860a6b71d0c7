package dev.aios.kernel.internal.store;

import dev.aios.api.Event;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/** The event log: every event accepted, once per id, numbered in the order accepted. */
public interface EventStore {

    /**
     * An event as stored, its data encoded by a codec.
     *
     * @param seq its number in the log
     * @param codec the codec that encoded the data
     * @param data the encoded data
     * @param receivedAt when it was accepted
     */
    record StoredEvent(
            long seq,
            String id,
            String type,
            String subject,
            String source,
            Instant time,
            String correlationId,
            String causationId,
            String codec,
            byte[] data,
            Instant receivedAt) {

        /** The event with its data decoded to {@code decoded}. */
        public Event event(com.fasterxml.jackson.databind.JsonNode decoded) {
            return new Event(id, type, subject, source, time, decoded, correlationId, causationId);
        }
    }

    /**
     * Logs an event whose data {@code codec} encoded to {@code data}.
     *
     * @return its number in the log, or empty when an event with its id was logged before
     */
    OptionalLong append(Event event, String codec, byte[] data, Instant receivedAt);

    /**
     * Logs an event as {@link #append} does, unless an event with id {@code other} was logged too
     * (the pseudonym its id got when its subject was forgotten): one check and insert, which a store
     * may send as one statement.
     *
     * @return its number in the log, or empty when an event with its id or with {@code other} was
     *     logged before
     */
    default OptionalLong appendUnless(String other, Event event, String codec, byte[] data, Instant receivedAt) {
        return logged(other) ? OptionalLong.empty() : append(event, codec, data, receivedAt);
    }

    /** Up to {@code limit} events after number {@code seq}, in order. */
    List<StoredEvent> after(long seq, int limit);

    /** Up to {@code limit} events of {@code type} after number {@code seq}, in order. */
    List<StoredEvent> ofType(String type, long seq, int limit);

    /** The number of the newest event, 0 when there is none. */
    long head();

    /** How many events are about {@code subject}. */
    long countOf(String subject);

    /** Whether an event with id {@code id} was logged. */
    boolean logged(String id);

    /**
     * Replaces the identifiers of the events about {@code subject} by pseudonyms: their subject by
     * {@code pseudonym}, their ids, correlation and causation ids by what {@code ids} makes of them;
     * the correlation and causation ids of other events that name one of these events are replaced
     * too. Their data is left as it is (sealed with a key that was destroyed).
     *
     * @return how many events were about the subject
     */
    long pseudonymize(String subject, String pseudonym, java.util.function.UnaryOperator<String> ids);
}
