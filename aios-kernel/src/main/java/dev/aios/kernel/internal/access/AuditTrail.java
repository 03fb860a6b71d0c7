package dev.aios.kernel.internal.access;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.AuditEntry;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.Database;
import dev.aios.kernel.internal.store.Tx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The hash-chained audit log of operator and admin actions. Entries are appended by the writer,
 * in the same transaction as the action they record when there is one, so an action and its
 * entry commit together or not at all.
 */
public final class AuditTrail {
    private final Database db;
    private final InstantSource clock;

    public AuditTrail(Database db, InstantSource clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Appends an entry in the caller's transaction, which must be the writer's. */
    public AuditEntry append(Tx tx, String actor, String action, String target, JsonNode details) throws SQLException {
        var previous = tx.queryOne("SELECT seq, checksum FROM audit ORDER BY seq DESC LIMIT 1", r ->
                        new Object[] {r.integer("seq"), r.text("checksum")})
                .orElse(new Object[] {0L, ""});
        long seq = Math.max((long) previous[0], sequence(tx)) + 1;
        Instant at = clock.instant();
        String text = Json.text(details);
        String checksum = chain((String) previous[1], seq, at, actor, action, target, text);
        tx.update(
                "INSERT INTO audit (seq, at, actor, action, target, details, checksum) VALUES (?, ?, ?, ?, ?, ?, ?)",
                seq,
                at,
                actor,
                action,
                target,
                text,
                checksum);
        return new AuditEntry(seq, at, actor, action, target, details, checksum);
    }

    /** Appends an entry in a write of its own. */
    public AuditEntry append(String actor, String action, String target, JsonNode details) {
        return db.write(tx -> append(tx, actor, action, target, details));
    }

    /** Who did the newest action on {@code target} whose name starts with {@code actionPrefix}. */
    public java.util.Optional<String> actorOf(String target, String actionPrefix) {
        return db.read(tx -> tx.queryOne(
                "SELECT actor FROM audit WHERE target = ? AND action LIKE ? ORDER BY seq DESC LIMIT 1",
                r -> r.text("actor"),
                target,
                actionPrefix.replace("%", "") + "%"));
    }

    /** Entries at or after {@code from}, oldest first, at most {@code limit}. */
    public List<AuditEntry> since(Instant from, int limit) {
        return db.read(tx -> tx.query(
                "SELECT seq, at, actor, action, target, details, checksum FROM audit WHERE at >= ? ORDER BY seq LIMIT ?",
                r -> new AuditEntry(
                        r.integer("seq"),
                        r.instant("at"),
                        r.text("actor"),
                        r.text("action"),
                        r.text("target"),
                        Json.tree(r.text("details")),
                        r.text("checksum")),
                from,
                limit));
    }

    /** What is wrong with the chain: entries changed, removed from the middle or from the end. */
    public static List<String> verify(Tx tx) throws SQLException {
        var problems = new ArrayList<String>();
        String previous = "";
        long expected = 1;
        long last = 0;
        for (var entry : tx.query(
                "SELECT seq, at, actor, action, target, details, checksum FROM audit ORDER BY seq", r -> new String[] {
                    Long.toString(r.integer("seq")),
                    Long.toString(r.integer("at")),
                    r.text("actor"),
                    r.text("action"),
                    r.text("target"),
                    r.text("details"),
                    r.text("checksum")
                })) {
            long seq = Long.parseLong(entry[0]);
            if (seq != expected) {
                problems.add("audit log: entries " + expected + " to " + (seq - 1) + " are missing");
            }
            String checksum = chain(
                    previous,
                    seq,
                    Instant.ofEpochMilli(Long.parseLong(entry[1])),
                    entry[2],
                    entry[3],
                    entry[4],
                    entry[5]);
            if (!checksum.equals(entry[6])) {
                problems.add("audit log: entry " + seq + " (" + entry[3] + " by " + entry[2]
                        + ") does not match its checksum: it was altered, or an entry before it was");
            }
            previous = entry[6];
            expected = seq + 1;
            last = seq;
        }
        long assigned = sequence(tx);
        if (assigned > last) {
            problems.add("audit log: the last " + (assigned - last) + " entries (up to " + assigned + ") were removed");
        }
        return problems;
    }

    /** The highest position ever given to an entry, even one since removed. */
    private static long sequence(Tx tx) throws SQLException {
        return tx.queryOne("SELECT seq FROM sqlite_sequence WHERE name = 'audit'", r -> r.integer("seq"))
                .orElse(0L);
    }

    static String chain(
            String previous, long seq, Instant at, String actor, String action, String target, String details) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update((previous
                            + '\n'
                            + seq
                            + '\n'
                            + at.toEpochMilli()
                            + '\n'
                            + actor
                            + '\n'
                            + action
                            + '\n'
                            + target
                            + '\n'
                            + details)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
