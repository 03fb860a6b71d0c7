package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.internal.store.AuditStore;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Row;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The audit table. The highest position given is kept apart (SQLite's AUTOINCREMENT sequence, a
 * row of its own on PostgreSQL), so that it never goes back when entries are removed.
 */
final class JdbcAudit implements AuditStore {
    private static final String COLUMNS = "SELECT seq, at, actor, action, target, details, checksum FROM audit";

    private final Handle handle;
    private final boolean writing;

    JdbcAudit(Handle handle, boolean writing) {
        this.handle = handle;
        this.writing = writing;
    }

    @Override
    public Optional<StoredAudit> last() {
        return handle.queryOne(COLUMNS + " ORDER BY seq DESC LIMIT 1", JdbcAudit::entry);
    }

    @Override
    public long assigned() {
        return switch (handle.dialect()) {
            case SQLITE ->
                handle.queryOne("SELECT seq FROM sqlite_sequence WHERE name = 'audit'", r -> r.integer("seq"))
                        .orElse(0L);
            // Locked until the transaction ends: appends from several nodes take turns.
            case POSTGRESQL -> handle.count("SELECT seq FROM audit_assigned" + (writing ? " FOR UPDATE" : ""));
        };
    }

    @Override
    public void append(StoredAudit entry) {
        handle.update(
                "INSERT INTO audit (seq, at, actor, action, target, details, checksum) VALUES (?, ?, ?, ?, ?, ?, ?)",
                entry.seq(),
                entry.at(),
                entry.actor(),
                entry.action(),
                entry.target(),
                entry.details(),
                entry.checksum());
        if (handle.dialect() == Handle.Dialect.POSTGRESQL) {
            handle.update("UPDATE audit_assigned SET seq = GREATEST(seq, ?)", entry.seq());
        }
    }

    @Override
    public List<StoredAudit> since(Instant from, int limit) {
        return handle.query(COLUMNS + " WHERE at >= ? ORDER BY seq LIMIT ?", JdbcAudit::entry, from, limit);
    }

    @Override
    public List<StoredAudit> all() {
        return handle.query(COLUMNS + " ORDER BY seq", JdbcAudit::entry);
    }

    private static StoredAudit entry(Row r) {
        return new StoredAudit(
                r.integer("seq"),
                r.instant("at"),
                r.text("actor"),
                r.text("action"),
                r.text("target"),
                r.text("details"),
                r.text("checksum"));
    }
}
