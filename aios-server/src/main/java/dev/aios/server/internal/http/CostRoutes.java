package dev.aios.server.internal.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.kernel.InvalidInputException;
import dev.aios.models.ModelsExtension;
import dev.aios.server.ApiServer;
import dev.aios.server.internal.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** {@code GET /api/costs}: what model calls cost, by day, agent, playbook and model, from the ledger. */
public final class CostRoutes implements ApiServer.Routes {
    /** Dollars as plain decimals (0.00036, never 3.6E-4). */
    private static final ObjectMapper MAPPER =
            Json.mapper().copy().configure(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN, true);

    private final ModelsExtension models;

    public CostRoutes(ModelsExtension models) {
        this.models = models;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/costs", this::costs, dev.aios.server.Access.scope(dev.aios.kernel.Scope.READ));
    }

    private void costs(Context ctx) throws JsonProcessingException {
        var report = models.costs(day(ctx, "from"), day(ctx, "to"));
        ctx.contentType("application/json").result(MAPPER.writeValueAsString(report));
    }

    private static Optional<LocalDate> day(Context ctx, String name) {
        var value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(value.strip()));
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(
                    "query parameter '" + name + "' must be a day such as 2025-05-01, was '" + value + "'");
        }
    }
}
