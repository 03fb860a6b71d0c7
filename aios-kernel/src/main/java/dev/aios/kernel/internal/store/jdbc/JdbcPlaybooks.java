package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.internal.store.PlaybookStore;
import dev.aios.kernel.spi.Handle;
import java.util.List;

/** The playbooks table. */
final class JdbcPlaybooks implements PlaybookStore {
    private final Handle handle;

    JdbcPlaybooks(Handle handle) {
        this.handle = handle;
    }

    @Override
    public List<StoredPlaybook> all() {
        return handle.query(
                "SELECT name, version, source, definition, loaded_at FROM playbooks",
                r -> new StoredPlaybook(
                        r.text("name"),
                        r.text("version"),
                        r.text("source"),
                        r.text("definition"),
                        r.instant("loaded_at")));
    }

    @Override
    public void activate(List<StoredPlaybook> active) {
        handle.update("UPDATE playbooks SET active = 0");
        for (var p : active) {
            handle.update(
                    "INSERT INTO playbooks (name, version, source, definition, loaded_at, active) VALUES (?, ?, ?, ?, ?, 1)"
                            + " ON CONFLICT (name, version) DO UPDATE SET active = 1, source = excluded.source",
                    p.name(),
                    p.version(),
                    p.source(),
                    p.definition(),
                    p.loadedAt());
        }
    }
}
