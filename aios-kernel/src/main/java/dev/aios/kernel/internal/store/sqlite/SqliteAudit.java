package dev.aios.kernel.internal.store.sqlite;

import dev.aios.kernel.internal.store.AuditStore;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Row;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The audit table; positions come from SQLite's AUTOINCREMENT sequence, which never goes back. */
final class SqliteAudit implements AuditStore {
    private static final String COLUMNS = "SELECT seq, at, actor, action, target, details, checksum FROM audit";

    private final Handle handle;

    SqliteAudit(Handle handle) {
        this.handle = handle;
    }

    @Override
    public Optional<StoredAudit> last() {
        return handle.queryOne(COLUMNS + " ORDER BY seq DESC LIMIT 1", SqliteAudit::entry);
    }

    @Override
    public long assigned() {
        return handle.queryOne("SELECT seq FROM sqlite_sequence WHERE name = 'audit'", r -> r.integer("seq"))
                .orElse(0L);
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
    }

    @Override
    public List<StoredAudit> since(Instant from, int limit) {
        return handle.query(COLUMNS + " WHERE at >= ? ORDER BY seq LIMIT ?", SqliteAudit::entry, from, limit);
    }

    @Override
    public List<StoredAudit> all() {
        return handle.query(COLUMNS + " ORDER BY seq", SqliteAudit::entry);
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
