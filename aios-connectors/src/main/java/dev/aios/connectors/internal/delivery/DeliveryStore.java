package dev.aios.connectors.internal.delivery;

import dev.aios.connectors.DeliveryStatus;
import dev.aios.connectors.DeliveryView;
import dev.aios.kernel.spi.Row;
import dev.aios.kernel.spi.Storage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Outgoing deliveries and the feed position: the SQL of deliveries, in one place. */
final class DeliveryStore {
    /** A delivery due to be sent. */
    record Due(String id, String subscription, String type, String body, int attempts, int rounds) {}

    /** A delivery to add. */
    record New(String id, String subscription, String type, String body) {}

    private static final String FEED = "deliveries";

    private final Storage storage;

    DeliveryStore(Storage storage) {
        this.storage = storage;
    }

    /** The feed positions read so far: event sequence, journal position. */
    long[] position() {
        return storage.read(h -> h.queryOne(
                        "SELECT event_seq, journal_pos FROM connector_delivery_feed WHERE name = ?",
                        r -> new long[] {r.integer("event_seq"), r.integer("journal_pos")},
                        FEED)
                .orElse(null));
    }

    /** Adds {@code deliveries} (ignoring any already there) and moves the feed position, at once. */
    void collect(List<New> deliveries, long eventSeq, long journalPos, Instant now) {
        storage.write(h -> {
            for (var d : deliveries) {
                h.update(
                        "INSERT INTO connector_deliveries (id, subscription, type, body, status, attempts, next_at,"
                                + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)"
                                + " ON CONFLICT (id) DO NOTHING",
                        d.id(),
                        d.subscription(),
                        d.type(),
                        d.body(),
                        DeliveryStatus.PENDING,
                        now,
                        now,
                        now);
            }
            return h.update(
                    "INSERT INTO connector_delivery_feed (name, event_seq, journal_pos) VALUES (?, ?, ?)"
                            + " ON CONFLICT (name) DO UPDATE SET event_seq = excluded.event_seq,"
                            + " journal_pos = excluded.journal_pos",
                    FEED,
                    eventSeq,
                    journalPos);
        });
    }

    List<Due> due(Instant now, int limit) {
        return storage.read(h -> h.query(
                "SELECT id, subscription, type, body, attempts, rounds FROM connector_deliveries"
                        + " WHERE status = ? AND next_at <= ? ORDER BY next_at, id LIMIT ?",
                r -> new Due(
                        r.text("id"),
                        r.text("subscription"),
                        r.text("type"),
                        r.text("body"),
                        (int) r.integer("attempts"),
                        (int) r.integer("rounds")),
                DeliveryStatus.PENDING,
                now,
                limit));
    }

    /** The earliest time a pending delivery is due. */
    Optional<Instant> nextDue() {
        return storage.read(h -> h.queryOne(
                        "SELECT MIN(next_at) AS next_at FROM connector_deliveries WHERE status = ?",
                        r -> r.optionalInstant("next_at"),
                        DeliveryStatus.PENDING)
                .flatMap(at -> at));
    }

    /** Records an attempt: delivered, or pending again at {@code next}. */
    void attempted(String id, DeliveryStatus status, int attempts, Instant next, Optional<String> error, Instant now) {
        storage.write(h -> h.update(
                "UPDATE connector_deliveries SET status = ?, attempts = ?, next_at = ?, last_error = ?, updated_at = ?"
                        + " WHERE id = ?",
                status,
                attempts,
                next,
                error,
                now,
                id));
    }

    /** Records that a delivery has no attempts left, for the {@code rounds}th time. */
    void failed(String id, int attempts, int rounds, String error, Instant now) {
        storage.write(h -> h.update(
                "UPDATE connector_deliveries SET status = ?, attempts = ?, rounds = ?, last_error = ?, updated_at = ?"
                        + " WHERE id = ?",
                DeliveryStatus.FAILED,
                attempts,
                rounds,
                error,
                now,
                id));
    }

    /** Makes a failed delivery pending again, due now; false when there is no failed delivery of that id. */
    boolean retry(String id, Instant now) {
        return storage.write(h -> h.update(
                        "UPDATE connector_deliveries SET status = ?, attempts = 0, next_at = ?, updated_at = ?"
                                + " WHERE id = ? AND status = ?",
                        DeliveryStatus.PENDING,
                        now,
                        now,
                        id,
                        DeliveryStatus.FAILED))
                > 0;
    }

    /** Drops a failed delivery for good; false when there is no failed delivery of that id. */
    boolean drop(String id, Instant now) {
        return storage.write(h -> h.update(
                        "UPDATE connector_deliveries SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
                        DeliveryStatus.DROPPED,
                        now,
                        id,
                        DeliveryStatus.FAILED))
                > 0;
    }

    /** Where the delivery {@code id} stands, if there is one. */
    Optional<DeliveryStatus> status(String id) {
        return storage.read(h -> h.queryOne(
                "SELECT status FROM connector_deliveries WHERE id = ?",
                r -> DeliveryStatus.fromWire(r.text("status")),
                id));
    }

    List<DeliveryView> list(Optional<DeliveryStatus> status, int limit) {
        var args = new ArrayList<Object>();
        status.ifPresent(args::add);
        args.add(limit);
        return storage.read(h -> h.query(
                "SELECT id, subscription, type, status, attempts, rounds, next_at, last_error, updated_at"
                        + " FROM connector_deliveries" + (status.isPresent() ? " WHERE status = ?" : "")
                        + " ORDER BY updated_at DESC, id LIMIT ?",
                DeliveryStore::view,
                args.toArray()));
    }

    private static DeliveryView view(Row r) {
        var status = DeliveryStatus.fromWire(r.text("status"));
        return new DeliveryView(
                r.text("id"),
                r.text("subscription"),
                r.text("type"),
                status,
                (int) r.integer("attempts"),
                (int) r.integer("rounds"),
                status == DeliveryStatus.PENDING ? Optional.of(r.instant("next_at")) : Optional.empty(),
                r.optionalText("last_error"),
                r.instant("updated_at"));
    }
}
