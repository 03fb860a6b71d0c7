package dev.aios.server;

import dev.aios.kernel.Caller;
import dev.aios.kernel.Scope;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.http.Problem;
import io.javalin.http.Context;

/**
 * A request that {@link Access} refuses, answered as a problem document: 401 without a valid token,
 * 403 with one that does not allow the route, 421 for a host aios does not serve, 403 for a change
 * from another site, 415 for a change that is not JSON.
 */
public final class Denied extends RuntimeException {
    private final int status;
    private final String type;

    private Denied(int status, String type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    /** The HTTP status it is answered with. */
    public int status() {
        return status;
    }

    static Denied unauthenticated(String message) {
        return new Denied(401, "unauthenticated", message);
    }

    static Denied invalid() {
        return unauthenticated("the token is not valid: it is unknown, expired or revoked");
    }

    static Denied forbidden(Caller caller, Scope needed, Context ctx) {
        return new Denied(
                403,
                "forbidden",
                "token '" + caller.name() + "' (scope " + Scope.names(caller.scopes()) + ") may not "
                        + ctx.method() + " " + ctx.path() + ": that needs " + needed.wire()
                        + "; nothing changed");
    }

    static Denied closed(Context ctx) {
        return new Denied(
                403, "forbidden", ctx.method() + " " + ctx.path() + " declares no scope, so nobody may call it");
    }

    static Denied misdirected(String message) {
        return new Denied(421, "unknown-host", message);
    }

    static Denied crossSite(String message) {
        return new Denied(403, "cross-site", message);
    }

    static Denied unsupported(String message) {
        return new Denied(415, "not-json", message + "; nothing changed");
    }

    void answer(Context ctx) {
        if (status == 401) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"aios\"");
        }
        var problem = new Problem(
                "/problems/" + type,
                io.javalin.http.HttpStatus.forStatus(status).getMessage(),
                status,
                getMessage(),
                java.util.List.of());
        try {
            ctx.status(status)
                    .contentType(Problem.MEDIA_TYPE)
                    .result(Json.mapper().writeValueAsString(problem));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a problem document could not be written", e);
        }
    }
}
