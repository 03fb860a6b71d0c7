package dev.aios.server.internal.http;

import dev.aios.server.ApiServer;
import dev.aios.server.internal.metrics.Metrics;
import io.javalin.config.RoutesConfig;

/** {@code GET /metrics}: the metrics for Prometheus (or OpenMetrics, when the scraper asks for it). */
public final class MetricsRoutes implements ApiServer.Routes {
    private final Metrics metrics;

    public MetricsRoutes(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get(
                "/metrics",
                ctx -> {
                    var scrape = metrics.scrape(ctx.header("Accept"));
                    ctx.contentType(scrape.contentType()).result(scrape.text());
                },
                dev.aios.server.Access.scope(dev.aios.kernel.Scope.READ));
    }
}
