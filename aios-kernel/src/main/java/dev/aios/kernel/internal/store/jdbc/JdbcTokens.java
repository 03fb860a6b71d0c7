package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.Scope;
import dev.aios.kernel.TokenInfo;
import dev.aios.kernel.internal.store.ApiTokenStore;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Row;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The tokens table. */
final class JdbcTokens implements ApiTokenStore {
    private static final String COLUMNS =
            "SELECT name, scopes, created_at, created_by, expires_at, revoked_at, last_used_at FROM tokens";

    private final Handle handle;

    JdbcTokens(Handle handle) {
        this.handle = handle;
    }

    @Override
    public Optional<TokenInfo> byName(String name) {
        return handle.queryOne(COLUMNS + " WHERE name = ?", JdbcTokens::info, name);
    }

    @Override
    public Optional<TokenInfo> byHash(String hash) {
        return handle.queryOne(COLUMNS + " WHERE hash = ?", JdbcTokens::info, hash);
    }

    @Override
    public void put(
            String name,
            String hash,
            Set<Scope> scopes,
            Instant createdAt,
            String createdBy,
            Optional<Instant> expiresAt) {
        handle.update("DELETE FROM tokens WHERE name = ?", name);
        handle.update(
                "INSERT INTO tokens (name, hash, scopes, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                name,
                hash,
                Scope.names(scopes),
                createdAt,
                createdBy,
                expiresAt);
    }

    @Override
    public void revoke(String name, Instant at) {
        handle.update("UPDATE tokens SET revoked_at = ? WHERE name = ?", at, name);
    }

    @Override
    public void used(String name, Instant at) {
        handle.update("UPDATE tokens SET last_used_at = ? WHERE name = ?", at, name);
    }

    @Override
    public List<TokenInfo> all() {
        return handle.query(COLUMNS + " ORDER BY name", JdbcTokens::info);
    }

    @Override
    public boolean any() {
        return handle.count("SELECT COUNT(*) FROM tokens") > 0;
    }

    private static TokenInfo info(Row r) {
        return new TokenInfo(
                r.text("name"),
                Scope.parse(r.text("scopes")),
                r.instant("created_at"),
                r.text("created_by"),
                r.optionalInstant("expires_at"),
                r.optionalInstant("revoked_at"),
                r.optionalInstant("last_used_at"));
    }
}
