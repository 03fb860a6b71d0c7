package dev.aios.server.internal.http;

import dev.aios.connectors.ConnectorsExtension;
import dev.aios.kernel.InvalidInputException;
import dev.aios.server.ApiServer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * The connectors' own routes: {@code GET /api/schedules}; named secrets ({@code GET /api/secrets},
 * {@code PUT} and {@code DELETE /api/secrets/{name}}), whose values go in and never come out.
 */
public final class ConnectorRoutes implements ApiServer.Routes {
    private final ConnectorsExtension connectors;

    public ConnectorRoutes(ConnectorsExtension connectors) {
        this.connectors = connectors;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/schedules", this::schedules);
        routes.get("/api/secrets", ctx -> ctx.json(connectors.secrets()));
        routes.put("/api/secrets/{name}", this::setSecret);
        routes.delete("/api/secrets/{name}", ctx -> {
            connectors.deleteSecret(ctx.pathParam("name"));
            ctx.status(204);
        });
    }

    private void setSecret(Context ctx) {
        var value = RequestBody.of(ctx.bodyAsBytes())
                .allowOnly(java.util.Set.of("value"))
                .text("value")
                .orElseThrow(() -> new InvalidInputException("send the secret as {\"value\": \"...\"}"));
        connectors.setSecret(ctx.pathParam("name"), value);
        ctx.status(204);
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
