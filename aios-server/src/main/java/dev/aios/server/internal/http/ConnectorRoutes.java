package dev.aios.server.internal.http;

import dev.aios.connectors.ConnectorsExtension;
import dev.aios.connectors.DeliveryStatus;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Scope;
import dev.aios.server.Access;
import dev.aios.server.ApiServer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * The connectors' own routes: {@code GET /api/schedules}; named secrets ({@code GET /api/secrets},
 * {@code PUT} and {@code DELETE /api/secrets/{name}}), whose values go in and never come out;
 * outgoing webhook deliveries ({@code GET /api/deliveries?status=failed}, {@code POST
 * /api/deliveries/{id}/retry} and {@code .../drop}). Secrets need an {@code admin} token, listing deliveries and schedules
 * {@code read}, retrying or dropping a delivery {@code operate}.
 */
public final class ConnectorRoutes implements ApiServer.Routes {
    private final ConnectorsExtension connectors;

    public ConnectorRoutes(ConnectorsExtension connectors) {
        this.connectors = connectors;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/schedules", this::schedules, Access.scope(Scope.READ));
        routes.get("/api/secrets", ctx -> ctx.json(connectors.secrets()), Access.scope(Scope.ADMIN));
        routes.put("/api/secrets/{name}", this::setSecret, Access.scope(Scope.ADMIN));
        routes.get("/api/deliveries", this::deliveries, Access.scope(Scope.READ));
        routes.post(
                "/api/deliveries/{id}/retry",
                ctx -> {
                    connectors.retryDelivery(ctx.pathParam("id"));
                    ctx.status(202).json(java.util.Map.of("retrying", ctx.pathParam("id")));
                },
                Access.scope(Scope.OPERATE));
        routes.post(
                "/api/deliveries/{id}/drop",
                ctx -> {
                    connectors.dropDelivery(ctx.pathParam("id"));
                    ctx.status(200).json(java.util.Map.of("dropped", ctx.pathParam("id")));
                },
                Access.scope(Scope.OPERATE));
        routes.delete(
                "/api/secrets/{name}",
                ctx -> {
                    connectors.deleteSecret(ctx.pathParam("name"));
                    ctx.status(204);
                },
                Access.scope(Scope.ADMIN));
    }

    private void setSecret(Context ctx) {
        var value = RequestBody.of(ctx.bodyAsBytes())
                .allowOnly(java.util.Set.of("value"))
                .text("value")
                .orElseThrow(() -> new InvalidInputException("send the secret as {\"value\": \"...\"}"));
        connectors.setSecret(ctx.pathParam("name"), value);
        ctx.status(204);
    }

    private void deliveries(Context ctx) {
        var status = java.util.Optional.ofNullable(ctx.queryParam("status"))
                .filter(s -> !s.isBlank())
                .map(DeliveryStatus::fromWire);
        ctx.json(connectors.deliveries(status, 100));
    }

    private void schedules(Context ctx) {
        int next = 3;
        var given = ctx.queryParam("next");
        if (given != null && !given.isBlank()) {
            try {
                next = Integer.parseInt(given.strip());
            } catch (NumberFormatException e) {
                next = -1;
            }
            if (next < 1 || next > 100) {
                throw new InvalidInputException(
                        "query parameter 'next' must be a number from 1 to 100, was '" + given + "'");
            }
        }
        ctx.json(connectors.schedules(next));
    }
}
