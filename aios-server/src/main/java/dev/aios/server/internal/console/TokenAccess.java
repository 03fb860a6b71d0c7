package dev.aios.server.internal.console;

import dev.aios.kernel.Tokens;
import java.util.EnumSet;
import java.util.Optional;

/**
 * The console's access through the API's tokens: a token signs in to the console with what its
 * scopes allow there ({@code admin} everything, {@code operate} reading and answering, {@code read}
 * reading; {@code ingest} nothing), and is asked about again on every request, so revoking it ends
 * its sessions. The one-time sign-in links that {@code aios up} prints stand for a token of this
 * process ({@link LocalAccess}).
 */
public final class TokenAccess implements Access {
    private final Tokens tokens;
    private final LocalAccess links;

    public TokenAccess(Tokens tokens, LocalAccess links) {
        this.tokens = tokens;
        this.links = links;
    }

    @Override
    public Optional<Grant> grant(String token) {
        var caller = tokens.authenticate(token);
        if (caller.isEmpty()) {
            return links.grant(token);
        }
        var scopes = EnumSet.noneOf(Scope.class);
        if (caller.get().can(dev.aios.kernel.Scope.READ)) {
            scopes.add(Scope.READ);
        }
        if (caller.get().can(dev.aios.kernel.Scope.OPERATE)) {
            scopes.add(Scope.OPERATE);
        }
        if (caller.get().can(dev.aios.kernel.Scope.ADMIN)) {
            scopes.add(Scope.ADMIN);
        }
        return scopes.isEmpty()
                ? Optional.empty()
                : Optional.of(new Grant(caller.get().name(), scopes));
    }

    @Override
    public Optional<String> redeem(String code) {
        return links.redeem(code);
    }
}
