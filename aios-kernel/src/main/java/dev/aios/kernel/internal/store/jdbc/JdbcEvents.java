package dev.aios.kernel.internal.store.jdbc;

import dev.aios.api.Event;
import dev.aios.kernel.internal.store.EventStore;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Row;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/** The events table. */
final class JdbcEvents implements EventStore {
    private static final String COLUMNS =
            "seq, id, type, subject, source, time, correlation_id, causation_id, codec, data, received_at";

    static final String INSERTED =
            "id, type, subject, source, time, correlation_id, causation_id, codec, data, received_at";

    private static final String INSERT =
            "INSERT INTO events (" + INSERTED + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";

    /**
     * An event's insert numbered by the writer (PostgreSQL, merging a batch's statements): it fails,
     * and its batch with it, when the id was logged before.
     */
    static final String INSERT_NUMBERED =
            "INSERT INTO events (seq, " + INSERTED + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /**
     * Fails (a division by zero, for the row found) when the event was logged, and does nothing
     * otherwise: the check of {@link #appendUnless} when nobody waits for its answer. Zero from the
     * row, not a constant, which the planner would divide by before looking.
     */
    static final String NOT_LOGGED = "SELECT 1 / (seq - seq) FROM events WHERE id = ?";

    /**
     * The number after the last event's, read under the writers' lock, so that an insert on
     * PostgreSQL numbers the events in the order they are logged, as the writer's do.
     */
    private static final String NEXT_SEQ = "(SELECT COALESCE(MAX(seq), 0) + 1 FROM events)";

    private final JdbcHandle handle;
    /** The transaction, which numbers events itself when it can (see {@link JdbcTx#nextEventSeq}). */
    private final JdbcTx numbered;

    JdbcEvents(JdbcHandle handle, JdbcTx numbered) {
        this.handle = handle;
        this.numbered = numbered;
    }

    /** {@code seq}, the number the database gave an event, told to the transaction. */
    private OptionalLong answered(java.util.Optional<Long> seq) {
        if (seq.isEmpty()) {
            return OptionalLong.empty();
        }
        numbered.eventLogged(seq.get());
        return OptionalLong.of(seq.get());
    }

    @Override
    public OptionalLong append(Event event, String codec, byte[] data, Instant receivedAt) {
        Object[] values = values(event, codec, data, receivedAt);
        if (handle.dialect() == Handle.Dialect.POSTGRESQL) {
            var next = numbered.nextEventSeq(event.id(), null);
            if (next.isPresent()) {
                logLater(next.getAsLong(), values);
                return next;
            }
            // The number comes back with the insert: one round trip, not two.
            var seq = handle.queryOne(
                    "INSERT INTO events (seq, " + INSERTED + ") VALUES (" + NEXT_SEQ
                            + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING seq",
                    r -> r.integer("seq"),
                    values);
            return answered(seq);
        }
        if (handle.update(INSERT, values) == 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(handle.queryOne("SELECT seq FROM events WHERE id = ?", r -> r.integer("seq"), event.id())
                .orElseThrow());
    }

    /**
     * {@inheritDoc} On PostgreSQL the check rides with the insert: one round trip, not two (the
     * writer holds the writers' lock, so no other node logs either id in between).
     */
    @Override
    public OptionalLong appendUnless(String other, Event event, String codec, byte[] data, Instant receivedAt) {
        if (handle.dialect() != Handle.Dialect.POSTGRESQL) {
            return EventStore.super.appendUnless(other, event, codec, data, receivedAt);
        }
        var next = numbered.nextEventSeq(event.id(), other);
        if (next.isPresent()) {
            handle.updateLater(NOT_LOGGED, other);
            logLater(next.getAsLong(), values(event, codec, data, receivedAt));
            return next;
        }
        Object[] values = java.util.Arrays.copyOf(values(event, codec, data, receivedAt), 11);
        values[10] = other;
        var seq = handle.queryOne(
                "INSERT INTO events (seq, " + INSERTED + ") SELECT " + NEXT_SEQ + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
                        + " WHERE NOT EXISTS (SELECT 1 FROM events WHERE id = ?) ON CONFLICT (id) DO NOTHING"
                        + " RETURNING seq",
                r -> r.integer("seq"),
                values);
        return answered(seq);
    }

    /**
     * Logs an event numbered {@code seq} with the writer's next round trip, taking it as new: were it
     * logged before, the insert fails and the writer runs its batch again, each unit in its
     * savepoint, where the database answers.
     */
    private void logLater(long seq, Object[] values) {
        var numberedValues = new Object[values.length + 1];
        numberedValues[0] = seq;
        System.arraycopy(values, 0, numberedValues, 1, values.length);
        handle.updateLater(INSERT_NUMBERED, numberedValues);
    }

    /** The values of {@link #INSERTED}, in its order. */
    private static Object[] values(Event event, String codec, byte[] data, Instant receivedAt) {
        return new Object[] {
            event.id(),
            event.type(),
            event.subject(),
            event.source(),
            event.time(),
            event.correlationId(),
            event.causationId(),
            codec,
            data,
            receivedAt
        };
    }

    @Override
    public List<StoredEvent> after(long seq, int limit) {
        return handle.query(
                "SELECT " + COLUMNS + " FROM events WHERE seq > ? ORDER BY seq LIMIT ?", JdbcEvents::event, seq, limit);
    }

    @Override
    public List<StoredEvent> ofType(String type, long seq, int limit) {
        return handle.query(
                "SELECT " + COLUMNS + " FROM events WHERE type = ? AND seq > ? ORDER BY seq LIMIT ?",
                JdbcEvents::event,
                type,
                seq,
                limit);
    }

    @Override
    public long head() {
        return handle.count("SELECT COALESCE(MAX(seq), 0) FROM events");
    }

    @Override
    public long countOf(String subject) {
        return handle.count("SELECT COUNT(*) FROM events WHERE subject = ?", subject);
    }

    @Override
    public boolean logged(String id) {
        return handle.count("SELECT COUNT(*) FROM events WHERE id = ?", id) > 0;
    }

    @Override
    public long pseudonymize(String subject, String pseudonym, java.util.function.UnaryOperator<String> ids) {
        record Names(long seq, String id, String correlation, String causation) {}
        var about = handle.query(
                "SELECT seq, id, correlation_id, causation_id FROM events WHERE subject = ?",
                r -> new Names(r.integer("seq"), r.text("id"), r.text("correlation_id"), r.text("causation_id")),
                subject);
        var renamed = new java.util.LinkedHashMap<String, String>();
        for (var event : about) {
            String id = ids.apply(event.id());
            renamed.put(event.id(), id);
            handle.update(
                    "UPDATE events SET id = ?, subject = ?, correlation_id = ?, causation_id = ? WHERE seq = ?",
                    id,
                    pseudonym,
                    ids.apply(event.correlation()),
                    ids.apply(event.causation()),
                    event.seq());
        }
        // Events about others (emitted by the subject's runs, correlated with its events) name them too.
        var names = new java.util.ArrayList<>(renamed.keySet());
        for (int from = 0; from < names.size(); from += 400) {
            var chunk = names.subList(from, Math.min(names.size(), from + 400));
            String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            for (String column : List.of("correlation_id", "causation_id")) {
                var rows = handle.query(
                        "SELECT seq, " + column + " AS name FROM events WHERE " + column + " IN (" + marks + ")",
                        r -> java.util.Map.entry(r.integer("seq"), r.text("name")),
                        chunk.toArray());
                for (var row : rows) {
                    handle.update(
                            "UPDATE events SET " + column + " = ? WHERE seq = ?",
                            renamed.get(row.getValue()),
                            row.getKey());
                }
            }
        }
        return about.size();
    }

    private static StoredEvent event(Row r) {
        return new StoredEvent(
                r.integer("seq"),
                r.text("id"),
                r.text("type"),
                r.text("subject"),
                r.text("source"),
                r.instant("time"),
                r.text("correlation_id"),
                r.text("causation_id"),
                r.text("codec"),
                r.bytes("data"),
                r.instant("received_at"));
    }
}
