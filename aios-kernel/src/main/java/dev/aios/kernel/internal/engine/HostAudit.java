package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.Actor;
import dev.aios.kernel.Scope;
import dev.aios.kernel.internal.access.AuditTrail;
import dev.aios.kernel.internal.access.TokenStore;
import dev.aios.kernel.internal.store.Tx;
import dev.aios.kernel.spi.Audit;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.Optional;

/** The audit log as extensions see it: entries in their own writes, and who answered a task. */
final class HostAudit implements Audit {
    private final AuditTrail trail;
    private final TokenStore tokens;
    private final InstantSource clock;

    HostAudit(AuditTrail trail, TokenStore tokens, InstantSource clock) {
        this.trail = trail;
        this.tokens = tokens;
        this.clock = clock;
    }

    @Override
    public void append(Connection connection, String actor, String action, String target, JsonNode details)
            throws SQLException {
        trail.append(new Tx(connection), actor, action, target, details);
    }

    @Override
    public Optional<String> answeredBy(String taskId) {
        return trail.actorOf(taskId, "task.");
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
