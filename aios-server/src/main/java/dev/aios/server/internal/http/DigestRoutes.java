package dev.aios.server.internal.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.server.ApiServer;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.WeeklyReview;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Optional;

/** {@code GET /api/digest?since=7d}: the period's exceptions, answers, failures, longest runs and spend. */
public final class DigestRoutes implements ApiServer.Routes {
    private static final ObjectMapper MAPPER =
            Json.mapper().copy().configure(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN, true);

    private final WeeklyReview review;

    public DigestRoutes(WeeklyReview review) {
        this.review = review;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/digest", this::digest, dev.aios.server.Access.scope(dev.aios.kernel.Scope.READ));
    }

    private void digest(Context ctx) throws JsonProcessingException {
        var since = Optional.ofNullable(ctx.queryParam("since"))
                .filter(s -> !s.isBlank())
                .orElse("7d");
        ctx.contentType("application/json").result(MAPPER.writeValueAsString(review.of(since.strip())));
    }
}
