package dev.aios.connectors.internal.delivery;

import dev.aios.connectors.DeliveryStatus;
import dev.aios.connectors.DeliveryView;
import dev.aios.kernel.spi.Storage;
import java.sql.ResultSet;
import java.sql.SQLException;
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
        return storage.read(c -> {
            try (var q =
                    c.prepareStatement("SELECT event_seq, journal_pos FROM connector_delivery_feed WHERE name = ?")) {
                q.setString(1, FEED);
                try (var rows = q.executeQuery()) {
                    return rows.next() ? new long[] {rows.getLong(1), rows.getLong(2)} : null;
                }
            }
        });
    }

    /** Adds {@code deliveries} (ignoring any already there) and moves the feed position, at once. */
    void collect(List<New> deliveries, long eventSeq, long journalPos, Instant now) {
        storage.write(c -> {
            try (var insert = c.prepareStatement("INSERT INTO connector_deliveries (id, subscription, type, body,"
                            + " status, attempts, next_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)"
                            + " ON CONFLICT (id) DO NOTHING");
                    var position =
                            c.prepareStatement("INSERT INTO connector_delivery_feed (name, event_seq, journal_pos)"
                                    + " VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET event_seq = excluded.event_seq,"
                                    + " journal_pos = excluded.journal_pos")) {
                for (var d : deliveries) {
                    insert.setString(1, d.id());
                    insert.setString(2, d.subscription());
                    insert.setString(3, d.type());
                    insert.setString(4, d.body());
                    insert.setLong(5, now.toEpochMilli());
                    insert.setLong(6, now.toEpochMilli());
                    insert.setLong(7, now.toEpochMilli());
                    insert.addBatch();
                }
                if (!deliveries.isEmpty()) {
                    insert.executeBatch();
                }
                position.setString(1, FEED);
                position.setLong(2, eventSeq);
                position.setLong(3, journalPos);
                position.executeUpdate();
            }
            return null;
        });
    }

    List<Due> due(Instant now, int limit) {
        return storage.read(c -> {
            var out = new ArrayList<Due>();
            try (var q =
                    c.prepareStatement("SELECT id, subscription, type, body, attempts, rounds FROM connector_deliveries"
                            + " WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?")) {
                q.setLong(1, now.toEpochMilli());
                q.setInt(2, limit);
                try (var rows = q.executeQuery()) {
                    while (rows.next()) {
                        out.add(new Due(
                                rows.getString(1),
                                rows.getString(2),
                                rows.getString(3),
                                rows.getString(4),
                                rows.getInt(5),
                                rows.getInt(6)));
                    }
                }
            }
            return out;
        });
    }

    /** The earliest time a pending delivery is due. */
    Optional<Instant> nextDue() {
        return storage.read(c -> {
            try (var q = c.prepareStatement("SELECT MIN(next_at) FROM connector_deliveries WHERE status = 'pending'");
                    var rows = q.executeQuery()) {
                long at = rows.next() ? rows.getLong(1) : 0;
                return rows.wasNull() || at == 0 ? Optional.<Instant>empty() : Optional.of(Instant.ofEpochMilli(at));
            }
        });
    }

    /** Records an attempt: delivered, or pending again at {@code next}. */
    void attempted(String id, DeliveryStatus status, int attempts, Instant next, Optional<String> error, Instant now) {
        storage.write(c -> {
            try (var u = c.prepareStatement("UPDATE connector_deliveries SET status = ?, attempts = ?, next_at = ?,"
                    + " last_error = ?, updated_at = ? WHERE id = ?")) {
                u.setString(1, status.wire());
                u.setInt(2, attempts);
                u.setLong(3, next.toEpochMilli());
                u.setString(4, error.orElse(null));
                u.setLong(5, now.toEpochMilli());
                u.setString(6, id);
                return u.executeUpdate();
            }
        });
    }

    /** Records that a delivery has no attempts left, for the {@code rounds}th time. */
    void failed(String id, int attempts, int rounds, String error, Instant now) {
        storage.write(c -> {
            try (var u = c.prepareStatement("UPDATE connector_deliveries SET status = 'failed', attempts = ?,"
                    + " rounds = ?, last_error = ?, updated_at = ? WHERE id = ?")) {
                u.setInt(1, attempts);
                u.setInt(2, rounds);
                u.setString(3, error);
                u.setLong(4, now.toEpochMilli());
                u.setString(5, id);
                return u.executeUpdate();
            }
        });
    }

    /** Makes a failed delivery pending again, due now; false when there is no failed delivery of that id. */
    boolean retry(String id, Instant now) {
        int changed = storage.write(c -> {
            try (var u = c.prepareStatement("UPDATE connector_deliveries SET status = 'pending', attempts = 0,"
                    + " next_at = ?, updated_at = ? WHERE id = ? AND status = 'failed'")) {
                u.setLong(1, now.toEpochMilli());
                u.setLong(2, now.toEpochMilli());
                u.setString(3, id);
                return u.executeUpdate();
            }
        });
        return changed > 0;
    }

    /** Drops a failed delivery for good; false when there is no failed delivery of that id. */
    boolean drop(String id, Instant now) {
        int changed = storage.write(c -> {
            try (var u = c.prepareStatement("UPDATE connector_deliveries SET status = 'dropped', updated_at = ?"
                    + " WHERE id = ? AND status = 'failed'")) {
                u.setLong(1, now.toEpochMilli());
                u.setString(2, id);
                return u.executeUpdate();
            }
        });
        return changed > 0;
    }

    /** Where the delivery {@code id} stands, if there is one. */
    Optional<DeliveryStatus> status(String id) {
        return storage.read(c -> {
            try (var q = c.prepareStatement("SELECT status FROM connector_deliveries WHERE id = ?")) {
                q.setString(1, id);
                try (var rows = q.executeQuery()) {
                    return rows.next()
                            ? Optional.of(DeliveryStatus.fromWire(rows.getString(1)))
                            : Optional.<DeliveryStatus>empty();
                }
            }
        });
    }

    List<DeliveryView> list(Optional<DeliveryStatus> status, int limit) {
        return storage.read(c -> {
            var out = new ArrayList<DeliveryView>();
            var sql = "SELECT id, subscription, type, status, attempts, rounds, next_at, last_error, updated_at"
                    + " FROM connector_deliveries" + (status.isPresent() ? " WHERE status = ?" : "")
                    + " ORDER BY updated_at DESC, id LIMIT ?";
            try (var q = c.prepareStatement(sql)) {
                int i = 1;
                if (status.isPresent()) {
                    q.setString(i++, status.get().wire());
                }
                q.setInt(i, limit);
                try (var rows = q.executeQuery()) {
                    while (rows.next()) {
                        out.add(view(rows));
                    }
                }
            }
            return out;
        });
    }

    private static DeliveryView view(ResultSet rows) throws SQLException {
        var status = DeliveryStatus.fromWire(rows.getString(4));
        return new DeliveryView(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                status,
                rows.getInt(5),
                rows.getInt(6),
                status == DeliveryStatus.PENDING
                        ? Optional.of(Instant.ofEpochMilli(rows.getLong(7)))
                        : Optional.empty(),
                Optional.ofNullable(rows.getString(8)),
                Instant.ofEpochMilli(rows.getLong(9)));
    }
}
