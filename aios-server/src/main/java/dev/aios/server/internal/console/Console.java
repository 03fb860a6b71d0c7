package dev.aios.server.internal.console;

import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.models.ModelsExtension;
import dev.aios.server.ApiServer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The operator's console: server-rendered pages on the API's port, signed in with the API's
 * tokens, refreshed live by server-sent events. Every page reads without JavaScript; htmx makes
 * them live and the editors check as the operator types.
 */
public final class Console implements ApiServer.PageRoutes {
    /**
     * The request attribute a page that shows tasks sets to the ids of the tasks it showed (a {@code
     * List<String>}), so that what measures the operator's time on a task starts it at first sight.
     */
    public static final String TASKS_SHOWN = "aios.tasksShown";

    private final Access access;
    private final Pages pages = new Pages();
    private final Frames frames;
    private final Gate gate;
    private final LiveFeed live;
    private final InboxRoutes inbox;
    private final RunRoutes runs;
    private final PlaybookPages playbooks;
    private final AgentPages agents;
    private final CostPages costs;
    private final MemoryPages memoryPages;
    private final HealthPages health;

    /**
     * The console of {@code kernel}.
     *
     * @param live the feed the kernel was built with, which tells pages what changed
     * @param models the model gateway, for costs and budgets
     * @param memory memory, for search, pins and forgetting
     */
    public Console(
            Kernel kernel,
            LiveFeed live,
            ModelsExtension models,
            MemoryExtension memory,
            Access access,
            InstantSource clock) {
        this.access = access;
        this.live = live;
        this.frames = new Frames(kernel);
        this.gate = new Gate(access, pages, frames);
        this.inbox = new InboxRoutes(kernel, gate, pages, frames, clock);
        this.runs = new RunRoutes(kernel, gate, pages, frames, clock);
        this.playbooks = new PlaybookPages(kernel, gate, pages, frames);
        this.agents = new AgentPages(kernel, gate, pages, frames);
        this.costs = new CostPages(kernel, models, gate, pages, frames, clock);
        this.memoryPages = new MemoryPages(kernel, memory, gate, pages, frames);
        this.health = new HealthPages(kernel, models, memory, gate, pages, frames, clock);
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/login", this::loginPage, dev.aios.server.Access.SELF);
        routes.post("/login", this::login, dev.aios.server.Access.SELF);
        routes.post(
                "/logout",
                gate.action(Access.Scope.READ, (ctx, visit) -> {
                    Gate.sessions(ctx).end(ctx);
                    ctx.redirect("/login", HttpStatus.SEE_OTHER);
                }),
                dev.aios.server.Access.SELF);
        routes.before("/live", ctx -> {
            if (gate.visit(ctx).filter(v -> v.grant().allows(Access.Scope.READ)).isEmpty()) {
                // A browser's EventSource stops on 401; the next page load signs in again.
                throw new io.javalin.http.UnauthorizedResponse("sign in to the console first");
            }
        });
        routes.sse(
                "/live",
                client -> {
                    var ctx = client.ctx();
                    var topics = Arrays.stream(Optional.ofNullable(ctx.queryParam("topics"))
                                    .orElse("")
                                    .split(","))
                            .map(String::strip)
                            .filter(t -> !t.isEmpty())
                            .collect(Collectors.toSet());
                    live.subscribe(client, topics);
                },
                dev.aios.server.Access.SELF);
        inbox.addTo(routes);
        runs.addTo(routes);
        playbooks.addTo(routes);
        agents.addTo(routes);
        costs.addTo(routes);
        memoryPages.addTo(routes);
        health.addTo(routes);
    }

    /**
     * Answers a console page that does not exist, e.g. a mistyped address, with a readable 404 page.
     *
     * @return whether the request was for a console page (and so was answered)
     */
    @Override
    public boolean notFound(Context ctx) {
        if (ctx.path().startsWith("/api/")) {
            return false;
        }
        gate.error(
                ctx,
                gate.visit(ctx),
                404,
                "Not found",
                "There is no page at " + ctx.path() + ". The inbox, runs and the other pages are in the menu.");
        return true;
    }

    private void loginPage(Context ctx) {
        var next = safeNext(ctx.queryParam("next"));
        var code = ctx.queryParam("code");
        if (code != null) {
            var token = access.redeem(code.strip());
            if (token.isPresent() && access.grant(token.get()).isPresent()) {
                Gate.sessions(ctx).start(ctx, token.get());
                ctx.redirect(next, HttpStatus.SEE_OTHER);
                return;
            }
            ctx.status(HttpStatus.UNAUTHORIZED);
            pages.render(
                    ctx,
                    "login.jte",
                    new LoginPage(
                            next,
                            Optional.of("This sign-in link was used already or has expired; paste a token, or"
                                    + " restart aios for a new link.")));
            return;
        }
        if (gate.visit(ctx).isPresent()) {
            ctx.redirect(next, HttpStatus.SEE_OTHER);
            return;
        }
        pages.render(ctx, "login.jte", new LoginPage(next, Optional.empty()));
    }

    private void login(Context ctx) {
        var next = safeNext(ctx.formParam("next"));
        var origin = ctx.header("Origin");
        if (origin != null && !origin.equals(ctx.scheme() + "://" + ctx.host())) {
            ctx.status(HttpStatus.FORBIDDEN);
            pages.render(
                    ctx,
                    "login.jte",
                    new LoginPage(next, Optional.of("This sign-in was sent from another site; nothing happened.")));
            return;
        }
        var token = Optional.ofNullable(ctx.formParam("token")).orElse("").strip();
        if (token.isEmpty() || access.grant(token).isEmpty()) {
            ctx.status(HttpStatus.UNAUTHORIZED);
            pages.render(
                    ctx,
                    "login.jte",
                    new LoginPage(
                            next,
                            Optional.of(
                                    token.isEmpty()
                                            ? "Paste a token to sign in."
                                            : "That token is unknown, revoked or expired.")));
            return;
        }
        Gate.sessions(ctx).start(ctx, token);
        ctx.redirect(next, HttpStatus.SEE_OTHER);
    }

    /** A path on this server to go to after signing in; the inbox for anything else. */
    private static String safeNext(String next) {
        return next != null && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login")
                ? next
                : "/";
    }
}
