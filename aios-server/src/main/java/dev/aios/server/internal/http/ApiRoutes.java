package dev.aios.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.AiosException;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.Scope;
import dev.aios.kernel.StorageException;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskQuery;
import dev.aios.server.Access;
import dev.aios.server.internal.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP API's routes: each one a thin translation between JSON and a {@link Kernel} call. */
public final class ApiRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);

    /** What a client is told to wait before trying again while the database cannot be written. */
    private static final String RETRY_AFTER_SECONDS = "5";

    private final Kernel kernel;
    private final InstantSource clock;
    private final long maxBodyBytes;
    private java.util.function.Predicate<Context> pages = ctx -> false;
    private java.util.List<dev.aios.server.ApiServer.Routes> healthParts = java.util.List.of();

    /**
     * Routes onto {@code kernel}.
     *
     * @param clock stamps events sent without a time
     * @param maxBodyBytes the largest request body accepted
     */
    public ApiRoutes(Kernel kernel, InstantSource clock, long maxBodyBytes) {
        this.kernel = kernel;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Lets {@code pages} answer requests for unknown paths first (a browser gets a page, not JSON). */
    public void pagesFor404(java.util.function.Predicate<Context> pages) {
        this.pages = pages;
    }

    /** Lets {@code parts} add what they report to {@code GET /health}. */
    public void healthFrom(java.util.List<dev.aios.server.ApiServer.Routes> parts) {
        this.healthParts = java.util.List.copyOf(parts);
    }

    /** Adds the routes and the error answers to {@code routes}. */
    public void addTo(RoutesConfig routes) {
        var read = Access.scope(Scope.READ);
        var ingest = Access.scope(Scope.INGEST);
        var operate = Access.scope(Scope.OPERATE);
        var admin = Access.scope(Scope.ADMIN);
        routes.get("/health", this::health, Access.OPEN);
        routes.post("/api/events", this::sendEvent, ingest);
        routes.get("/api/runs", this::runs, read);
        routes.get("/api/runs/{id}", ctx -> ctx.json(kernel.run(ctx.pathParam("id"))), read);
        routes.get("/api/runs/{id}/journal", ctx -> ctx.json(kernel.journal(ctx.pathParam("id"))), read);
        routes.post("/api/runs/{id}/cancel", this::cancel, operate);
        routes.get("/api/tasks", this::tasks, read);
        routes.get("/api/tasks/{id}", ctx -> ctx.json(kernel.task(ctx.pathParam("id"))), read);
        routes.post("/api/tasks/{id}/approve", this::approve, operate);
        routes.post("/api/tasks/{id}/reject", this::reject, operate);
        routes.post("/api/tasks/{id}/retry", this::retry, operate);
        routes.post("/api/tasks/{id}/skip", this::skip, operate);
        routes.post("/api/tasks/{id}/compensate", this::compensate, operate);
        routes.post("/api/runs/{id}/replay", this::replay, read);
        routes.post("/api/subjects/{subject}/forget", ctx -> ctx.json(kernel.forget(ctx.pathParam("subject"))), admin);
        routes.get(
                "/api/subjects/{subject}/forgotten",
                ctx -> ctx.json(kernel.forgotten(ctx.pathParam("subject"))),
                admin);
        routes.get("/api/playbooks", ctx -> ctx.json(kernel.playbooks()), read);
        routes.post("/api/playbooks/reload", ctx -> ctx.json(kernel.reloadPlaybooks()), admin);
        routes.get("/api/agents", ctx -> ctx.json(kernel.agents()), read);
        routes.get("/api/agents/instances", this::instances, read);
        routes.get("/api/agents/{name}/instances/{subject}", this::instance, read);
        new Invocations(kernel, clock).addTo(routes);

        routes.exception(AiosException.class, (e, ctx) -> {
            if (e instanceof StorageException) {
                // Nothing was recorded; the client may send the same request again later.
                ctx.header("Retry-After", RETRY_AFTER_SECONDS);
            }
            answer(ctx, Problem.of(e));
        });
        routes.exception(HttpResponseException.class, (e, ctx) -> {
            if (e.getStatus() == 404 && pages.test(ctx)) {
                return;
            }
            answer(ctx, httpProblem(e, ctx));
        });
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            answer(
                    ctx,
                    Problem.of(
                            500,
                            "the server failed to answer " + ctx.method() + " " + ctx.path()
                                    + "; the server log has the details"));
        });
    }

    /** The instances of stateful agents; {@code ?agent=NAME} keeps one agent's. */
    private void instances(Context ctx) {
        ctx.json(kernel.agentInstances(
                Optional.ofNullable(ctx.queryParam("agent")).filter(a -> !a.isBlank())));
    }

    /** One instance with its state and its newest {@code ?limit=N} messages (20 unless given, at most 200). */
    private void instance(Context ctx) {
        int limit = 20;
        var given = ctx.queryParam("limit");
        if (given != null) {
            try {
                limit = Integer.parseInt(given);
            } catch (NumberFormatException e) {
                throw new InvalidInputException("limit must be a whole number from 1 to 200, was '" + given + "'");
            }
            if (limit < 1 || limit > 200) {
                throw new InvalidInputException("limit must be a whole number from 1 to 200, was " + limit);
            }
        }
        ctx.json(kernel.agentInstance(ctx.pathParam("name"), ctx.pathParam("subject"), limit));
    }

    /** 200 {@code ok}, or 503 {@code degraded} with the reason while the database cannot be written. */
    private void health(Context ctx) {
        var overview = kernel.overview();
        var runs = Json.mapper().createObjectNode();
        for (var status : RunStatus.values()) {
            runs.put(status.wire(), overview.runs().get(status));
        }
        ObjectNode health = Json.mapper().createObjectNode();
        var storageFailure = overview.storageFailure();
        health.put("status", storageFailure.isPresent() ? "degraded" : "ok");
        storageFailure.ifPresent(why -> health.put("storage", why));
        health.set("runs", runs);
        health.put("openTasks", overview.openTasks());
        // How far behind the workers are: after a restart, the overdue timers and steps still to move on.
        var queue = health.putObject("work");
        queue.put("due", overview.queue().due()).put("running", overview.queue().leased());
        overview.queue().oldestDue().ifPresent(at -> queue.put("oldestDue", at.toString()));
        if (storageFailure.isEmpty()) {
            var nodes = health.putArray("nodes");
            for (var node : kernel.nodes()) {
                nodes.addObject()
                        .put("name", node.name())
                        .put("seenAt", node.seenAt().toString())
                        .put("holding", node.holding());
            }
        }
        for (var part : healthParts) {
            part.describeHealth(health);
        }
        if (storageFailure.isPresent()) {
            ctx.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", RETRY_AFTER_SECONDS);
        }
        ctx.json(health);
    }

    private void sendEvent(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes());
        var event = EventBody.isCloudEvent(ctx.contentType(), body)
                ? EventBody.cloudEvent(body, clock.instant())
                : EventBody.plain(body, clock.instant());
        var accepted = kernel.send(event);
        ctx.status(accepted.duplicate() ? HttpStatus.OK : HttpStatus.ACCEPTED).json(accepted);
    }

    private void runs(Context ctx) {
        var query = RunQuery.all();
        var status = param(ctx, "status");
        if (status.isPresent()) {
            query = query.withStatus(RunStatus.fromWire(status.get()));
        }
        var playbook = param(ctx, "playbook");
        if (playbook.isPresent()) {
            query = query.withPlaybook(playbook.get());
        }
        var subject = param(ctx, "subject");
        if (subject.isPresent()) {
            query = query.withSubject(subject.get());
        }
        var limit = param(ctx, "limit");
        if (limit.isPresent()) {
            query = query.withLimit(wholeNumber("limit", limit.get()));
        }
        var after = param(ctx, "after");
        if (after.isPresent()) {
            query = query.after(after.get());
        }
        var page = kernel.runPage(query);
        page.next().ifPresent(next -> linkNext(ctx, next));
        ctx.json(page.items());
    }

    /**
     * Names the next page in a {@code Link} header (RFC 8288): this request again with {@code
     * after} set to the cursor. The body stays the plain list.
     */
    private static void linkNext(Context ctx, String cursor) {
        var query = new StringBuilder();
        ctx.queryParamMap().forEach((name, values) -> {
            if (!name.equals("after")) {
                for (var value : values) {
                    query.append(java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8))
                            .append('=')
                            .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8))
                            .append('&');
                }
            }
        });
        ctx.header("Link", "<" + ctx.path() + "?" + query + "after=" + cursor + ">; rel=\"next\"");
    }

    private void cancel(Context ctx) {
        var body = RequestBody.ofOptional(ctx.bodyAsBytes()).allowOnly(Set.of("reason"));
        ctx.json(kernel.cancel(ctx.pathParam("id"), body.text("reason").orElse("")));
    }

    private void tasks(Context ctx) {
        var query = TaskQuery.open();
        if (yesOrNo(ctx, "all")) {
            query = query.includingClosed();
        }
        var kind = param(ctx, "kind");
        if (kind.isPresent()) {
            query = query.withKind(kind.get());
        }
        var limit = param(ctx, "limit");
        if (limit.isPresent()) {
            query = query.withLimit(wholeNumber("limit", limit.get()));
        }
        var after = param(ctx, "after");
        if (after.isPresent()) {
            query = query.after(after.get());
        }
        var page = kernel.taskPage(query);
        page.next().ifPresent(next -> linkNext(ctx, next));
        ctx.json(page.items());
    }

    private void approve(Context ctx) {
        var body = RequestBody.ofOptional(ctx.bodyAsBytes()).allowOnly(Set.of("edit", "comment"));
        ctx.json(kernel.approve(
                ctx.pathParam("id"), body.json("edit"), body.text("comment").orElse("")));
    }

    private void reject(Context ctx) {
        var body = RequestBody.ofOptional(ctx.bodyAsBytes()).allowOnly(Set.of("reason"));
        ctx.json(kernel.reject(ctx.pathParam("id"), body.text("reason").orElse("")));
    }

    private void retry(Context ctx) {
        var body = RequestBody.ofOptional(ctx.bodyAsBytes()).allowOnly(Set.of("comment"));
        ctx.json(kernel.retry(ctx.pathParam("id"), body.text("comment").orElse("")));
    }

    private void skip(Context ctx) {
        var taskId = ctx.pathParam("id");
        var body = RequestBody.ofOptional(ctx.bodyAsBytes()).allowOnly(Set.of("output", "comment"));
        var output = body.json("output");
        // A failed undo is skipped as it is; a parked step needs the output its run goes on with.
        if (output.isEmpty() && kernel.task(taskId).kind() == TaskKind.DEAD_LETTER) {
            throw new InvalidInputException("field 'output' is required: skipping a failed step needs the output"
                    + " its run goes on with, e.g. {\"output\": {...}}; nothing changed");
        }
        ctx.json(kernel.skip(taskId, output, body.text("comment").orElse("")));
    }

    private void compensate(Context ctx) {
        var body = RequestBody.ofOptional(ctx.bodyAsBytes()).allowOnly(Set.of("comment"));
        ctx.json(kernel.compensate(ctx.pathParam("id"), body.text("comment").orElse("")));
    }

    private void replay(Context ctx) {
        if (GraphRoutes.isWhatIf(ctx)) {
            new GraphRoutes(kernel).whatIf(ctx);
            return;
        }
        ctx.json(kernel.replay(ctx.pathParam("id"), yesOrNo(ctx, "full")));
    }

    private Problem httpProblem(HttpResponseException e, Context ctx) {
        return switch (e.getStatus()) {
            case 404 -> Problem.of(404, ctx.method() + " " + ctx.path() + " is not part of the aios API");
            case 405 -> Problem.of(405, ctx.method() + " is not allowed on " + ctx.path());
            case 413 ->
                Problem.of(413, "the request body is larger than " + maxBodyBytes / 1000 + " kB; send less data");
            default -> Problem.of(e.getStatus(), e.getMessage());
        };
    }

    static void answer(Context ctx, Problem problem) {
        try {
            ctx.status(problem.status())
                    .contentType(Problem.MEDIA_TYPE)
                    .result(Json.mapper().writeValueAsString(problem));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a problem document could not be written", e);
        }
    }

    private static Optional<String> param(Context ctx, String name) {
        return Optional.ofNullable(ctx.queryParam(name)).filter(value -> !value.isBlank());
    }

    /** A {@code true}/{@code false} query parameter; false when absent. */
    private static boolean yesOrNo(Context ctx, String name) {
        return param(ctx, name)
                .map(value -> switch (value.toLowerCase(Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default ->
                        throw new InvalidInputException(
                                "query parameter '" + name + "' must be true or false, was '" + value + "'");
                })
                .orElse(false);
    }

    private static int wholeNumber(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(
                    "query parameter '" + name + "' must be a whole number between 1 and 1000, was '" + value + "'");
        }
    }
}
