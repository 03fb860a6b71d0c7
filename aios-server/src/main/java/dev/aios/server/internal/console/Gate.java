package dev.aios.server.internal.console;

import dev.aios.kernel.AiosException;
import dev.aios.kernel.ConflictException;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.PlaybookException;
import dev.aios.kernel.StorageException;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's door: every page and action passes it. A request needs a session whose token is
 * still valid and has the scope the route needs; an action (POST) also needs the session's CSRF
 * token and, when the browser names one, an {@code Origin} of this server. Whatever a handler
 * throws becomes a readable error page.
 */
final class Gate {
    private static final Logger LOG = LoggerFactory.getLogger(Gate.class);

    /** A console handler, given the signed-in visit. */
    @FunctionalInterface
    interface Page {
        void handle(Context ctx, Visit visit) throws Exception;
    }

    private final Access access;
    private final Pages pages;
    private final Frames frames;

    Gate(Access access, Pages pages, Frames frames) {
        this.access = access;
        this.pages = pages;
        this.frames = frames;
    }

    /** A page that reads: needs {@code scope} (usually read). */
    Handler page(Access.Scope scope, Page page) {
        return ctx -> guarded(ctx, scope, false, page);
    }

    /** An action: a POST that needs {@code scope} and the session's CSRF token. */
    Handler action(Access.Scope scope, Page page) {
        return ctx -> guarded(ctx, scope, true, page);
    }

    /** The visit of a signed-in request, if any; for routes that also serve visitors signed out. */
    Optional<Visit> visit(Context ctx) {
        var sessions = sessions(ctx);
        return sessions.find(ctx).flatMap(session -> access.grant(session.token())
                .map(grant -> new Visit(session, grant))
                .or(() -> {
                    sessions.end(ctx);
                    return Optional.empty();
                }));
    }

    /** The server's browser sessions, which the API's {@code /api/session} opens too. */
    static dev.aios.server.internal.http.BrowserSessions sessions(Context ctx) {
        return dev.aios.server.Access.of(ctx).sessions();
    }

    private void guarded(Context ctx, Access.Scope scope, boolean action, Page page) {
        Optional<Visit> visit = Optional.empty();
        try {
            visit = visit(ctx);
            if (visit.isEmpty()) {
                signIn(ctx);
                return;
            }
            if (action) {
                checkForm(ctx, visit.get());
            }
            if (!visit.get().grant().allows(scope)) {
                error(
                        ctx,
                        visit,
                        403,
                        "Not allowed",
                        "The token you signed in with (" + visit.get().grant().name() + ") does not have the '"
                                + scope.wire() + "' scope this needs. Sign in with a token that has it.");
                return;
            }
            // The audit log records the console's actions under the name of the token signed in with.
            dev.aios.kernel.Actor.begin(visit.get().grant().name());
            try {
                page.handle(ctx, visit.get());
            } finally {
                dev.aios.kernel.Actor.end();
            }
        } catch (Refused e) {
            error(ctx, visit, e.status, e.heading, e.getMessage());
        } catch (AiosException e) {
            error(ctx, visit, status(e), heading(e), e.getMessage());
        } catch (Exception e) {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            error(
                    ctx,
                    visit,
                    500,
                    "Something went wrong",
                    "The server failed to answer " + ctx.method() + " " + ctx.path()
                            + ". Nothing was lost; the server log has the details.");
        }
    }

    /** Sends a visitor who is not signed in to the sign-in page, and back here afterwards. */
    private static void signIn(Context ctx) {
        var back = ctx.method().name().equals("GET") ? ctx.path() + query(ctx) : "/";
        var login = "/login?next=" + URLEncoder.encode(back, StandardCharsets.UTF_8);
        if (ctx.header("HX-Request") != null) {
            ctx.status(401).header("HX-Redirect", login);
            return;
        }
        ctx.redirect(login, io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private static String query(Context ctx) {
        var query = ctx.queryString();
        return query == null || query.isEmpty() ? "" : "?" + query;
    }

    /** Refuses a form posted from another site or without the session's CSRF token. */
    private static void checkForm(Context ctx, Visit visit) {
        var origin = ctx.header("Origin");
        if (origin != null && !origin.equals(ctx.scheme() + "://" + ctx.host())) {
            throw new Refused(
                    403, "Refused", "This form was sent from another site (" + origin + "); nothing changed.");
        }
        var token = Optional.ofNullable(ctx.header("X-CSRF-Token")).orElseGet(() -> ctx.formParam("csrf"));
        if (token == null
                || !MessageDigest.isEqual(
                        token.getBytes(StandardCharsets.UTF_8),
                        visit.session().csrf().getBytes(StandardCharsets.UTF_8))) {
            throw new Refused(
                    403,
                    "Refused",
                    "This form has expired or did not come from this console (its CSRF token does not match);"
                            + " reload the page and try again. Nothing changed.");
        }
    }

    void error(Context ctx, Optional<Visit> visit, int status, String heading, String detail) {
        var frame = visit.map(v -> frames.of(v, heading, ""));
        var back =
                Optional.ofNullable(ctx.header("Referer")).filter(r -> r.startsWith(ctx.scheme() + "://" + ctx.host()));
        ctx.status(status);
        var page = new ErrorPage(frame, status, heading, detail, back.orElse("/"));
        // A request made by the page itself (an edit check) gets the problem alone, to show in place.
        pages.render(ctx, ctx.header("HX-Request") != null ? "problem.jte" : "error.jte", page);
    }

    private static int status(AiosException e) {
        return switch (e) {
            case NotFoundException n -> 404;
            case ConflictException c -> 409;
            case InvalidInputException i -> 400;
            case PlaybookException p -> 400;
            case StorageException s -> 503;
        };
    }

    private static String heading(AiosException e) {
        return switch (e) {
            case NotFoundException n -> "Not found";
            case ConflictException c -> "Not possible now";
            case InvalidInputException i -> "Not accepted";
            case PlaybookException p -> "Playbook refused";
            case StorageException s -> "Storage unavailable";
        };
    }

    /** A request the console turns down, with the status and heading of its page. */
    static final class Refused extends RuntimeException {
        final int status;
        final String heading;

        Refused(int status, String heading, String detail) {
            super(detail);
            this.status = status;
            this.heading = heading;
        }
    }
}
