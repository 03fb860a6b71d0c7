package dev.aios.server.internal.http;

import dev.aios.api.Durations;
import dev.aios.api.Event;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.NotFoundException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /api/playbooks/{name}/invoke?wait=10s}: starts a run of one playbook and answers
 * with its output if it completes in time, else 202 with the run to follow. The run is as durable
 * as any other; an {@code id} (or {@code Idempotency-Key} header) sent again answers with the same run.
 */
final class Invocations {
    /** How long a request waits for its run unless it says otherwise. */
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    /** The longest a request may wait. */
    static final Duration MAX_WAIT = Duration.ofMinutes(5);

    private final Kernel kernel;
    private final InstantSource clock;

    Invocations(Kernel kernel, InstantSource clock) {
        this.kernel = kernel;
        this.clock = clock;
    }

    void addTo(RoutesConfig routes) {
        routes.post(
                "/api/playbooks/{name}/invoke",
                this::invoke,
                dev.aios.server.Access.scope(dev.aios.kernel.Scope.OPERATE));
    }

    private void invoke(Context ctx) {
        var name = ctx.pathParam("name");
        var wait = waitOf(ctx.queryParam("wait"));
        var body = RequestBody.ofOptional(ctx.bodyAsBytes()).allowOnly(Set.of("id", "subject", "data"));
        var playbook = kernel.playbooks().stream()
                .filter(p -> p.active() && p.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new NotFoundException(
                        "no active playbook is named '" + name + "'; 'aios playbooks' lists them"));
        var id = body.text("id")
                .or(() -> Optional.ofNullable(ctx.header("Idempotency-Key")).filter(key -> !key.isBlank()))
                .map(key -> "invoke:" + name + ":" + key)
                .orElseGet(() -> "invoke:" + name + ":" + UUID.randomUUID());
        Event event;
        try {
            event = new Event(
                    id,
                    playbook.trigger(),
                    body.text("subject").orElse(""),
                    "invoke",
                    clock.instant(),
                    body.object("data").orElse(null),
                    "",
                    "");
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage() + "; nothing was started");
        }
        var accepted = kernel.startRun(name, event);
        var runId = accepted.started().stream()
                .findFirst()
                .orElseThrow(() -> new NotFoundException("invocation " + id + " was made before, but its run is gone"));
        RunAnswer.send(ctx, kernel.awaitEnd(runId, wait));
    }

    static Duration waitOf(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_WAIT;
        }
        var wait = Durations.parse(text.strip())
                .orElseThrow(() -> new InvalidInputException(
                        "query parameter 'wait' must be a duration such as 10s or 2m, was '" + text + "'"));
        if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
            throw new InvalidInputException("query parameter 'wait' must be between 0s and 5m, was '" + text + "'");
        }
        return wait;
    }
}
