package dev.aios.kernel;

import dev.aios.kernel.internal.access.TokenStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The API tokens of a data directory. Only a hash of each token is stored, so a token is shown
 * once, when it is created. Creating and revoking are recorded in the audit log with the {@link
 * Actor} of the current thread.
 */
public final class Tokens {
    private final TokenStore store;

    Tokens(TokenStore store) {
        this.store = store;
    }

    /**
     * Creates a token named {@code name} (what the audit log will call its user) that may do what
     * {@code scopes} allow, and stops working after {@code expiresIn} if given.
     *
     * @throws ConflictException when an active token has that name
     * @throws InvalidInputException when the name or the expiry is not valid
     */
    public IssuedToken create(String name, Set<Scope> scopes, Optional<Duration> expiresIn) {
        return store.create(name, scopes, expiresIn, Actor.current());
    }

    /** Every token, active, expired or revoked, by name. */
    public List<TokenInfo> list() {
        return store.list();
    }

    /**
     * Revokes a token: it stops working at once.
     *
     * @throws NotFoundException when there is no token of that name
     */
    public TokenInfo revoke(String name) {
        return store.revoke(name, Actor.current());
    }

    /** Who presents {@code secret}, if it is a token neither revoked nor expired. */
    public Optional<Caller> authenticate(String secret) {
        return store.authenticate(secret);
    }
}
