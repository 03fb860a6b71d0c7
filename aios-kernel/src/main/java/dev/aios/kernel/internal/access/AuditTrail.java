package dev.aios.kernel.internal.access;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.AuditEntry;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.AuditStore.StoredAudit;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.Tx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The hash-chained audit log of operator and admin actions. Entries are appended in a write, in
 * the same transaction as the action they record when there is one, so an action and its
 * entry commit together or not at all.
 */
public final class AuditTrail {
    private final Store store;
    private final InstantSource clock;

    public AuditTrail(Store store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Appends an entry in the caller's transaction, which must be a write. */
    public AuditEntry append(Tx tx, String actor, String action, String target, JsonNode details) {
        var log = tx.audit();
        long assigned = log.assigned();
        var previous = log.last();
        long seq = Math.max(previous.map(StoredAudit::seq).orElse(0L), assigned) + 1;
        Instant at = clock.instant();
        String text = Json.text(details);
        String checksum = chain(previous.map(StoredAudit::checksum).orElse(""), seq, at, actor, action, target, text);
        log.append(new StoredAudit(seq, at, actor, action, target, text, checksum));
        return new AuditEntry(seq, at, actor, action, target, details, checksum);
    }

    /** Appends an entry in a write of its own. */
    public AuditEntry append(String actor, String action, String target, JsonNode details) {
        return store.write(tx -> append(tx, actor, action, target, details));
    }

    /** Entries at or after {@code from}, oldest first, at most {@code limit}. */
    public List<AuditEntry> since(Instant from, int limit) {
        return store.read(tx -> tx.audit().since(from, limit)).stream()
                .map(e -> new AuditEntry(
                        e.seq(), e.at(), e.actor(), e.action(), e.target(), Json.tree(e.details()), e.checksum()))
                .toList();
    }

    /** What is wrong with the chain: entries changed, removed from the middle or from the end. */
    public static List<String> verify(Tx tx) {
        var problems = new ArrayList<String>();
        String previous = "";
        long expected = 1;
        long last = 0;
        for (var entry : tx.audit().all()) {
            long seq = entry.seq();
            if (seq != expected) {
                problems.add("audit log: entries " + expected + " to " + (seq - 1) + " are missing");
            }
            String checksum =
                    chain(previous, seq, entry.at(), entry.actor(), entry.action(), entry.target(), entry.details());
            if (!checksum.equals(entry.checksum())) {
                problems.add("audit log: entry " + seq + " (" + entry.action() + " by " + entry.actor()
                        + ") does not match its checksum: it was altered, or an entry before it was");
            }
            previous = entry.checksum();
            expected = seq + 1;
            last = seq;
        }
        long assigned = tx.audit().assigned();
        if (assigned > last) {
            problems.add("audit log: the last " + (assigned - last) + " entries (up to " + assigned + ") were removed");
        }
        return problems;
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
