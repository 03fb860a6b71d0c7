package dev.aios.server.internal.http;

import dev.aios.connectors.ConnectorsExtension;
import dev.aios.kernel.InvalidInputException;
import dev.aios.server.ApiServer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** The connectors' own views: {@code GET /api/schedules}. */
public final class ConnectorRoutes implements ApiServer.Routes {
    private final ConnectorsExtension connectors;

    public ConnectorRoutes(ConnectorsExtension connectors) {
        this.connectors = connectors;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/schedules", this::schedules, dev.aios.server.Access.scope(dev.aios.kernel.Scope.READ));
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
