package dev.aios.kernel;

import java.util.Objects;
import java.util.Set;

/**
 * Who a request comes from: the name of the token it carried and what that token may do.
 *
 * @param name the token's name, as the audit log records it
 * @param scopes what the token may do
 */
public record Caller(String name, Set<Scope> scopes) {
    public Caller {
        Objects.requireNonNull(name, "name");
        scopes = Set.copyOf(scopes);
    }

    /** Whether this caller may do what {@code needed} allows. */
    public boolean can(Scope needed) {
        return Scope.allow(scopes, needed);
    }
}
