package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.internal.store.SecretValueStore;
import dev.aios.kernel.spi.Handle;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The secrets table. */
final class JdbcSecrets implements SecretValueStore {
    private final Handle handle;

    JdbcSecrets(Handle handle) {
        this.handle = handle;
    }

    @Override
    public void put(String name, byte[] sealed, Instant at) {
        handle.update(
                "INSERT INTO secrets (name, value, updated_at) VALUES (?, ?, ?)"
                        + " ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                name,
                sealed,
                at);
    }

    @Override
    public Optional<byte[]> get(String name) {
        return handle.queryOne("SELECT value FROM secrets WHERE name = ?", r -> r.bytes("value"), name);
    }

    @Override
    public boolean delete(String name) {
        return handle.update("DELETE FROM secrets WHERE name = ?", name) > 0;
    }

    @Override
    public List<String> names() {
        return handle.query("SELECT name FROM secrets ORDER BY name", r -> r.text("name"));
    }
}
