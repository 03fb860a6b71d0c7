package dev.aios.connectors.internal.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.connectors.DeliveryStatus;
import dev.aios.connectors.DeliveryView;
import dev.aios.kernel.spi.Row;
import dev.aios.kernel.spi.Storage;
import dev.aios.kernel.spi.SubjectCipher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Outgoing deliveries and the feed position: the SQL of deliveries, in one place. A delivery's body
 * is sealed with its subject's key, so forgetting the subject makes it unreadable.
 */
final class DeliveryStore {
    /** A delivery due to be sent. */
    record Due(String id, String subscription, String type, String subject, String body, int attempts, int rounds) {}

    /** A delivery to add; {@code subject} is what its body is about, "" for nobody. */
    record New(String id, String subscription, String type, String subject, String body) {}

    /** What a delivery whose subject was forgotten says in its error. */
    static final String FORGOTTEN = "its subject was forgotten: never sent";

    private static final String FEED = "deliveries";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Storage storage;
    private final SubjectCipher cipher;

    DeliveryStore(Storage storage, SubjectCipher cipher) {
        this.storage = storage;
        this.cipher = cipher;
    }

    /**
     * Seals the bodies written in plain text before bodies were sealed (their subject read from the
     * body); returns how many.
     */
    int sealOlder() {
        record Plain(String id, String body) {}
        var plain = storage.read(h -> h.query(
                "SELECT id, body FROM connector_deliveries WHERE sealed IS NULL AND body <> ''",
                r -> new Plain(r.text("id"), r.text("body"))));
        for (var row : plain) {
            String subject;
            try {
                subject = JSON.readTree(row.body()).path("data").path("subject").asText("");
            } catch (IOException e) {
                subject = "";
            }
            var about = subject;
            if (!about.isEmpty() && cipher.isForgotten(about)) {
                storage.write(h -> forget(h, about, cipher.pseudonym(about), Instant.EPOCH));
                continue;
            }
            storage.write(h -> h.update(
                    "UPDATE connector_deliveries SET subject = ?, sealed = ?, body = '' WHERE id = ?",
                    about,
                    cipher.seal(about, row.body().getBytes(StandardCharsets.UTF_8)),
                    row.id()));
        }
        return plain.size();
    }

    /**
     * Drops what the deliveries hold about {@code subject}: their bodies are deleted, those not sent
     * yet are dropped, and the rows are filed under {@code pseudonym}; returns how many.
     */
    int forget(String subject, String pseudonym, Instant now) {
        return storage.write(h -> forget(h, subject, pseudonym, now));
    }

    private static int forget(dev.aios.kernel.spi.Handle h, String subject, String pseudonym, Instant now) {
        h.update(
                "UPDATE connector_deliveries SET status = ?, last_error = ?, updated_at = ?"
                        + " WHERE subject = ? AND status IN (?, ?)",
                DeliveryStatus.DROPPED,
                FORGOTTEN,
                now,
                subject,
                DeliveryStatus.PENDING,
                DeliveryStatus.FAILED);
        return h.update(
                "UPDATE connector_deliveries SET subject = ?, body = '', sealed = NULL,"
                        + " last_error = CASE WHEN last_error IS NULL THEN NULL ELSE ? END WHERE subject = ?",
                pseudonym,
                FORGOTTEN,
                subject);
    }

    /** The feed positions read so far: event sequence, journal position. */
    long[] position() {
        return storage.read(h -> position(h).orElse(null));
    }

    private static Optional<long[]> position(dev.aios.kernel.spi.Handle h) {
        return h.queryOne(
                "SELECT event_seq, journal_pos FROM connector_delivery_feed WHERE name = ?",
                r -> new long[] {r.integer("event_seq"), r.integer("journal_pos")},
                FEED);
    }

    /**
     * Adds {@code deliveries} (ignoring any already there) and moves the feed position to {@code
     * eventSeq} and {@code journalPos}, at once, unless the position is no longer {@code from}: on a
     * shared database every node collects, and another node collected past it meanwhile.
     *
     * @param from the position the deliveries were read from; null to move it whatever it is
     * @return whether the deliveries were added and the position moved
     */
    boolean collect(List<New> deliveries, long[] from, long eventSeq, long journalPos, Instant now) {
        return storage.write(h -> {
            if (from != null
                    && position(h)
                            .filter(at -> !java.util.Arrays.equals(at, from))
                            .isPresent()) {
                return false;
            }
            // Checked in the write, after any forgetting that committed before it: nothing is sealed
            // again for a subject just forgotten (that would keep its name beside a new key).
            var forgotten = new java.util.HashMap<String, Boolean>();
            for (var d : deliveries) {
                if (!d.subject().isEmpty() && forgotten.computeIfAbsent(d.subject(), cipher::isForgotten)) {
                    continue;
                }
                h.update(
                        "INSERT INTO connector_deliveries (id, subscription, type, subject, body, sealed, status,"
                                + " attempts, next_at, created_at, updated_at) VALUES (?, ?, ?, ?, '', ?, ?, 0, ?, ?, ?)"
                                + " ON CONFLICT (id) DO NOTHING",
                        d.id(),
                        d.subscription(),
                        d.type(),
                        d.subject(),
                        cipher.seal(d.subject(), d.body().getBytes(StandardCharsets.UTF_8)),
                        DeliveryStatus.PENDING,
                        now,
                        now,
                        now);
            }
            h.update(
                    "INSERT INTO connector_delivery_feed (name, event_seq, journal_pos) VALUES (?, ?, ?)"
                            + " ON CONFLICT (name) DO UPDATE SET event_seq = excluded.event_seq,"
                            + " journal_pos = excluded.journal_pos",
                    FEED,
                    eventSeq,
                    journalPos);
            return true;
        });
    }

    /**
     * The deliveries due now, their bodies opened; one whose subject was forgotten meanwhile is
     * dropped instead.
     */
    List<Due> due(Instant now, int limit) {
        record Stored(
                String id,
                String subscription,
                String type,
                String subject,
                byte[] sealed,
                String body,
                int attempts,
                int rounds) {}
        var rows = storage.read(h -> h.query(
                "SELECT id, subscription, type, subject, sealed, body, attempts, rounds FROM connector_deliveries"
                        + " WHERE status = ? AND next_at <= ? ORDER BY next_at, id LIMIT ?",
                r -> new Stored(
                        r.text("id"),
                        r.text("subscription"),
                        r.text("type"),
                        r.text("subject"),
                        r.bytes("sealed"),
                        r.text("body"),
                        (int) r.integer("attempts"),
                        (int) r.integer("rounds")),
                DeliveryStatus.PENDING,
                now,
                limit));
        var due = new ArrayList<Due>();
        for (var row : rows) {
            String body;
            if (row.sealed() == null) {
                body = row.body();
            } else {
                try {
                    body = new String(cipher.open(row.subject(), row.sealed()), StandardCharsets.UTF_8);
                } catch (SubjectCipher.ForgottenException e) {
                    forget(row.subject(), cipher.pseudonym(row.subject()), now);
                    continue;
                }
            }
            due.add(new Due(
                    row.id(), row.subscription(), row.type(), row.subject(), body, row.attempts(), row.rounds()));
        }
        return due;
    }

    /** The earliest time a pending delivery is due. */
    Optional<Instant> nextDue() {
        return storage.read(h -> h.queryOne(
                        "SELECT MIN(next_at) AS next_at FROM connector_deliveries WHERE status = ?",
                        r -> r.optionalInstant("next_at"),
                        DeliveryStatus.PENDING)
                .flatMap(at -> at));
    }

    /**
     * How long a node's claim on a delivery it is sending holds: longer than a request may take (30
     * s), and how long a delivery waits when the node that claimed it stopped before it could tell.
     */
    static final java.time.Duration CLAIM_FOR = java.time.Duration.ofMinutes(2);

    /**
     * Claims {@code due} for this node to send now, unless another node sent or claimed it since it
     * was read: on a shared database every node sends what is due, and a request must go out once.
     * The claim moves the delivery's next attempt {@link #CLAIM_FOR} ahead, where it stays if this
     * node stops before it records the attempt.
     *
     * @return whether this node is to send it
     */
    boolean claim(Due due, Instant now) {
        return storage.write(h -> h.update(
                        "UPDATE connector_deliveries SET next_at = ?, updated_at = ? WHERE id = ? AND status = ?"
                                + " AND attempts = ? AND rounds = ? AND next_at <= ?",
                        now.plus(CLAIM_FOR),
                        now,
                        due.id(),
                        DeliveryStatus.PENDING,
                        due.attempts(),
                        due.rounds(),
                        now))
                > 0;
    }

    /**
     * Records the attempt made of {@code due}: delivered, or pending again at {@code next}; not over
     * another attempt recorded since (one made after this node's claim lapsed).
     */
    void attempted(Due due, DeliveryStatus status, Instant next, Optional<String> error, Instant now) {
        storage.write(h -> h.update(
                "UPDATE connector_deliveries SET status = ?, attempts = ?, next_at = ?, last_error = ?, updated_at = ?"
                        + " WHERE id = ? AND attempts = ? AND rounds = ?",
                status,
                due.attempts() + 1,
                next,
                error,
                now,
                due.id(),
                due.attempts(),
                due.rounds()));
    }

    /** Records that {@code due} has no attempts left after {@code attempts}, for the {@code rounds}th time. */
    void failed(Due due, int attempts, int rounds, String error, Instant now) {
        storage.write(h -> h.update(
                "UPDATE connector_deliveries SET status = ?, attempts = ?, rounds = ?, last_error = ?, updated_at = ?"
                        + " WHERE id = ? AND attempts = ? AND rounds = ?",
                DeliveryStatus.FAILED,
                attempts,
                rounds,
                error,
                now,
                due.id(),
                due.attempts(),
                due.rounds()));
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
