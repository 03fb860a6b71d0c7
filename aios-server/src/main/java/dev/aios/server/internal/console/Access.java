package dev.aios.server.internal.console;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who may use the console: the one seam between the console and the tokens the API checks. The
 * operator signs in with a token; the console keeps the token behind a session cookie and asks
 * again on every request, so a revoked or expired token ends the session at once.
 */
public interface Access {

    /** What {@code token} may do, or empty when it is unknown, revoked or expired. */
    Optional<Grant> grant(String token);

    /**
     * A one-time sign-in link's code exchanged for the token it stands for, or empty when the code
     * is unknown, used or expired.
     */
    Optional<String> redeem(String code);

    /** What a token may do in the console. */
    enum Scope {
        /** Read runs, journals, tasks, costs, memory and health. */
        READ,
        /** Answer tasks, retry, skip, compensate, cancel, pin memory. */
        OPERATE,
        /** Forget subjects, reload playbooks. */
        ADMIN;

        /** The scope's name as tokens carry it. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A token's name and scopes.
     *
     * @param name the token's name, shown as who is signed in and recorded with each answer
     * @param scopes what it may do
     */
    record Grant(String name, Set<Scope> scopes) {
        public Grant {
            Objects.requireNonNull(name, "name");
            scopes = Set.copyOf(scopes);
        }

        /** Whether the token may do what {@code needed} covers. */
        public boolean allows(Scope needed) {
            return scopes.contains(needed);
        }
    }
}
