package dev.aios.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.Scope;
import dev.aios.kernel.TokenInfo;
import dev.aios.server.Access;
import dev.aios.server.internal.AiosConfig;
import dev.aios.server.internal.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Tokens, the audit log and browser sessions over HTTP: {@code /api/tokens} and {@code /api/audit}
 * for admins, {@code /api/session} for whoever holds a token.
 */
public final class AccessRoutes {
    private static final Set<String> TOKEN_FIELDS = Set.of("name", "scopes", "expires");

    private final Kernel kernel;
    private final InstantSource clock;

    public AccessRoutes(Kernel kernel, InstantSource clock) {
        this.kernel = kernel;
        this.clock = clock;
    }

    /** Adds the routes to {@code routes}. */
    public void addTo(RoutesConfig routes) {
        var admin = Access.scope(Scope.ADMIN);
        routes.get("/api/tokens", this::list, admin);
        routes.post("/api/tokens", this::create, admin);
        routes.delete("/api/tokens/{name}", this::revoke, admin);
        routes.get("/api/audit", this::audit, admin);
        routes.post("/api/session", this::signIn, Access.OPEN);
        routes.delete("/api/session", this::signOut, Access.OPEN);
    }

    private void list(Context ctx) {
        var now = clock.instant();
        var tokens = Json.mapper().createArrayNode();
        kernel.tokens().list().forEach(info -> tokens.add(describe(info, now)));
        ctx.json(tokens);
    }

    private void create(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes()).allowOnly(TOKEN_FIELDS);
        var name =
                body.text("name").orElseThrow(() -> new InvalidInputException("field 'name' is required, e.g. laptop"));
        var scopes = scopes(body.json("scopes")
                .orElseThrow(() -> new InvalidInputException(
                        "field 'scopes' is required: a list of read, ingest, operate, admin")));
        var expires = body.text("expires").map(text -> {
            try {
                return AiosConfig.duration(text);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("field 'expires' must be an age such as 90d, was '" + text + "'");
            }
        });
        var issued = kernel.tokens().create(name, scopes, expires);
        var answer = (com.fasterxml.jackson.databind.node.ObjectNode) describe(issued.info(), clock.instant());
        answer.put("token", issued.secret());
        ctx.status(HttpStatus.CREATED).json(answer);
    }

    private void revoke(Context ctx) {
        ctx.json(describe(kernel.tokens().revoke(ctx.pathParam("name")), clock.instant()));
    }

    private void audit(Context ctx) {
        var since = Optional.ofNullable(ctx.queryParam("since"))
                .filter(s -> !s.isBlank())
                .orElse("7d");
        int limit = Optional.ofNullable(ctx.queryParam("limit"))
                .filter(s -> !s.isBlank())
                .map(AccessRoutes::whole)
                .orElse(1000);
        ctx.json(kernel.audit().since(time(since), limit));
    }

    private void signIn(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes()).allowOnly(Set.of("token"));
        var token = body.text("token").orElseThrow(() -> new InvalidInputException("field 'token' is required"));
        var caller = Access.of(ctx).signIn(ctx, token);
        ctx.json(Json.mapper()
                .createObjectNode()
                .put("name", caller.name())
                .put("scopes", Scope.names(caller.scopes())));
    }

    private void signOut(Context ctx) {
        Access.of(ctx).signOut(ctx);
        ctx.status(HttpStatus.NO_CONTENT);
    }

    /** A token as the API shows it: its fields and its status now. */
    public static JsonNode describe(TokenInfo info, Instant now) {
        var node = Json.mapper().<com.fasterxml.jackson.databind.node.ObjectNode>valueToTree(info);
        node.put("status", info.status(now));
        return node;
    }

    private static Set<Scope> scopes(JsonNode value) {
        var scopes = EnumSet.noneOf(Scope.class);
        if (value.isTextual()) {
            return Scope.parse(value.textValue());
        }
        if (!value.isArray() || value.isEmpty()) {
            throw new InvalidInputException("field 'scopes' must be a list such as [\"read\", \"ingest\"]");
        }
        value.forEach(scope -> scopes.add(Scope.fromWire(scope.asText())));
        return scopes;
    }

    private Instant time(String value) {
        try {
            return Instant.parse(value.strip());
        } catch (DateTimeParseException notAnInstant) {
            try {
                return clock.instant().minus(AiosConfig.duration(value));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("query parameter 'since' must be a time such as"
                        + " 2026-03-01T00:00:00Z or an age such as 7d, was '" + value + "'");
            }
        }
    }

    private static int whole(String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("query parameter 'limit' must be a whole number, was '" + value + "'");
        }
    }
}
