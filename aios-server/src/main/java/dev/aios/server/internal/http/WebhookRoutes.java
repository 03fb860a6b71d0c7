package dev.aios.server.internal.http;

import dev.aios.connectors.ConnectorsExtension;
import dev.aios.connectors.WebhookAnswer;
import dev.aios.connectors.WebhookRequest;
import dev.aios.kernel.Kernel;
import dev.aios.server.ApiServer;
import dev.aios.server.internal.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.HashMap;

/**
 * {@code POST /hooks/{source}}: webhooks in. Each source authenticates with its own signature
 * secret instead of an API token; a refused delivery is answered with a problem document and
 * records nothing. A source that answers synchronously waits for its run like an invocation.
 */
public final class WebhookRoutes implements ApiServer.Routes {
    private final Kernel kernel;
    private final ConnectorsExtension connectors;

    public WebhookRoutes(Kernel kernel, ConnectorsExtension connectors) {
        this.kernel = kernel;
        this.connectors = connectors;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.post("/hooks/{source}", this::receive, dev.aios.server.Access.SELF);
    }

    private void receive(Context ctx) {
        var headers = new HashMap<String, String>();
        ctx.headerMap().forEach(headers::put);
        var contentType = ctx.contentType() == null ? "" : ctx.contentType();
        var answer = connectors.receive(
                ctx.pathParam("source"), new WebhookRequest(headers, contentType, ctx.bodyAsBytes()));
        switch (answer) {
            case WebhookAnswer.Refused refused ->
                ApiRoutes.answer(ctx, Problem.of(refused.status(), refused.message()));
            case WebhookAnswer.Received received -> {
                if (received.respondWith().isPresent()) {
                    var wait = Invocations.waitOf(ctx.queryParam("wait"));
                    RunAnswer.send(ctx, kernel.awaitEnd(received.respondWith().get(), wait));
                    return;
                }
                var body = Json.mapper().createObjectNode();
                body.put("source", received.source());
                body.put("eventId", received.accepted().eventId());
                body.put("duplicate", received.accepted().duplicate());
                var started = body.putArray("started");
                received.accepted().started().forEach(started::add);
                ctx.status(received.accepted().duplicate() ? HttpStatus.OK : HttpStatus.ACCEPTED)
                        .json(body);
            }
        }
    }
}
