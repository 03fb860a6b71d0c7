package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.Actor;
import dev.aios.kernel.Scope;
import dev.aios.kernel.internal.access.AuditTrail;
import dev.aios.kernel.internal.access.TokenStore;
import dev.aios.kernel.internal.store.AuditStore.StoredAudit;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.spi.Audit;
import dev.aios.kernel.spi.Handle;
import java.time.InstantSource;
import java.util.Optional;

/** The audit log as extensions see it: entries in their own writes, and who answered a task. */
final class HostAudit implements Audit {
    /** More entries than a task's life brings in any likely case; the answer is among the first. */
    private static final int SCAN = 10_000;

    private final AuditTrail trail;
    private final TokenStore tokens;
    private final Store store;
    private final InstantSource clock;

    HostAudit(AuditTrail trail, TokenStore tokens, Store store, InstantSource clock) {
        this.trail = trail;
        this.tokens = tokens;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public void append(Handle handle, String actor, String action, String target, JsonNode details) {
        if (!store.inWrite()) {
            throw new IllegalStateException("an audit entry is appended inside Storage.write, with its handle");
        }
        // A write from inside a write joins its transaction: the entry commits with the extension's change.
        store.write(tx -> trail.append(tx, actor, action, target, details));
    }

    @Override
    public Optional<String> answeredBy(String taskId) {
        return store.read(
                tx -> tx.tasks().find(taskId).flatMap(task -> tx.audit().since(task.createdAt(), SCAN).stream()
                        .filter(e -> e.target().equals(taskId) && e.action().startsWith("task."))
                        .reduce((first, second) -> second)
                        .map(StoredAudit::actor)));
    }

    @Override
    public boolean administers(String actor) {
        if (actor.equals(Actor.LOCAL) || actor.equals(Actor.KERNEL)) {
            return true;
        }
        var now = clock.instant();
        return tokens.list().stream()
                .anyMatch(token -> token.name().equals(actor)
                        && token.status(now).equals("active")
                        && Scope.allow(token.scopes(), Scope.ADMIN));
    }
}
