package dev.aios.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.internal.access.AuditTrail;
import dev.aios.kernel.internal.store.Store;
import java.time.Instant;
import java.util.List;

/**
 * The hash-chained log of operator and admin actions. The kernel records its own (answering
 * tasks, cancelling runs, forgetting, reloading playbooks, token changes) in the same transaction
 * as the action; other parts append theirs here (settings changes, secrets, sign-ins).
 */
public final class AuditLog {
    private final AuditTrail trail;
    private final Store store;

    AuditLog(AuditTrail trail, Store store) {
        this.trail = trail;
        this.store = store;
    }

    /**
     * Records an action by the current thread's {@link Actor}.
     *
     * @param action what was done, as {@code area.verb}, e.g. {@code settings.change}
     * @param target what it was done to, e.g. a setting's name; never a subject's name in clear
     * @param details more about it (a JSON object)
     */
    public AuditEntry append(String action, String target, JsonNode details) {
        return trail.append(Actor.current(), action, target, details);
    }

    /** Entries at or after {@code from}, oldest first, at most {@code limit} (1 to 10,000). */
    public List<AuditEntry> since(Instant from, int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new InvalidInputException("limit must be between 1 and 10000, was " + limit);
        }
        return trail.since(from, limit);
    }

    /** What is wrong with the log's chain; empty when every entry is as it was written. */
    public List<String> verify() {
        return store.read(AuditTrail::verify);
    }
}
