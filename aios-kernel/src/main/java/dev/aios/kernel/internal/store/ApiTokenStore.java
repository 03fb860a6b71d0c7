package dev.aios.kernel.internal.store;

import dev.aios.kernel.Scope;
import dev.aios.kernel.TokenInfo;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** API tokens, kept as a hash of their secret, by name. */
public interface ApiTokenStore {

    /** The token named {@code name}. */
    Optional<TokenInfo> byName(String name);

    /** The token whose secret hashes to {@code hash}. */
    Optional<TokenInfo> byHash(String hash);

    /** Stores a token in place of any of the same name. */
    void put(
            String name,
            String hash,
            Set<Scope> scopes,
            Instant createdAt,
            String createdBy,
            Optional<Instant> expiresAt);

    /** Marks the token revoked at {@code at}. */
    void revoke(String name, Instant at);

    /** Notes that the token was last used at {@code at}. */
    void used(String name, Instant at);

    /** Every token, active or not, by name. */
    List<TokenInfo> all();

    /** Whether any token exists, active or not. */
    boolean any();
}
