package dev.aios.kernel;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * An API token as listed: never the token itself, which is only shown once, when it is created.
 *
 * @param name what the operator called it, e.g. {@code laptop}; the audit log records it
 * @param scopes what it may do
 * @param createdAt when it was created
 * @param createdBy who created it (a token's name, or {@code local} for the command line on the
 *     data directory)
 * @param expiresAt when it stops working, if it does
 * @param revokedAt when it was revoked, if it was
 * @param lastUsedAt about when it was last used (recorded at most once a minute)
 */
public record TokenInfo(
        String name,
        Set<Scope> scopes,
        Instant createdAt,
        String createdBy,
        Optional<Instant> expiresAt,
        Optional<Instant> revokedAt,
        Optional<Instant> lastUsedAt) {
    public TokenInfo {
        scopes = Set.copyOf(scopes);
    }

    /** {@code active}, {@code expired} or {@code revoked}, as of {@code now}. */
    public String status(Instant now) {
        if (revokedAt.isPresent()) {
            return "revoked";
        }
        return expiresAt.filter(at -> !at.isAfter(now)).isPresent() ? "expired" : "active";
    }
}
