package dev.aios.server;

import dev.aios.kernel.Actor;
import dev.aios.kernel.Caller;
import dev.aios.kernel.Scope;
import dev.aios.kernel.Tokens;
import dev.aios.server.internal.http.BrowserSessions;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.security.RouteRole;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may call what. Every route declares the {@link Scope} it needs with {@link #scope(Scope)}
 * (or {@link #OPEN} for the few anyone may call); a route that declares nothing is closed to all.
 * A caller proves who it is with {@code Authorization: Bearer <token>}, or, in a browser, with a
 * session cookie ({@code SameSite=Strict}) obtained from a token through {@link #signIn} or the
 * console's sign-in: both open the same {@link BrowserSessions}, and a session stands for its token
 * only while the token is valid.
 *
 * <p>Every request is also checked as a browser would send it: its {@code Host} must be one aios
 * serves (the loopback names, the address it listens on, and the names in {@code server.hosts}),
 * so that a foreign site cannot reach it through DNS rebinding; and a request that changes
 * something must carry an {@code Origin} of aios itself or none, and a JSON body (or no body and
 * no content type, when it carries a token rather than a cookie), so that no form or script of
 * another site can make it.
 *
 * <pre>{@code
 * routes.get("/metrics", this::metrics, Access.scope(Scope.READ));
 * routes.post("/console/sign-in", ctx -> Access.of(ctx).signIn(ctx, token), Access.OPEN);
 * Caller who = Access.caller(ctx);
 * }</pre>
 */
public final class Access {
    /** A route anyone may call without a token, such as {@code GET /health}. */
    public static final RouteRole OPEN = Open.OPEN;

    /**
     * A route that checks its caller itself: the console's pages behind its session gate (which
     * asks {@link dev.aios.kernel.Tokens} on every request and checks a CSRF token on every form),
     * webhooks with their signature. Only the {@code Host} is checked here.
     */
    public static final RouteRole SELF = Open.SELF;

    /**
     * A route any valid token may call, whatever its scopes, because the handler decides what the
     * caller may do from {@link #caller}: the MCP endpoint shows each token the tools its scopes
     * allow. {@code Host}, {@code Origin} and content type are checked as for every other route.
     */
    public static final RouteRole TOKEN = Open.TOKEN;

    /** The name of the browser session cookie. */
    public static final String SESSION_COOKIE = BrowserSessions.COOKIE;

    /** How long a browser session lasts without a request. */
    public static final Duration SESSION_LENGTH = BrowserSessions.IDLE;

    private static final Map<Scope, RouteRole> NEEDS = new EnumMap<>(Scope.class);

    static {
        for (var scope : Scope.values()) {
            NEEDS.put(scope, new Needs(scope));
        }
    }

    private static final String CALLER = "aios.caller";
    private static final String ACCESS = "aios.access";
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "::1", "[::1]");

    private enum Open implements RouteRole {
        OPEN,
        SELF,
        TOKEN
    }

    private record Needs(Scope scope) implements RouteRole {}

    private final Tokens tokens;
    private final Set<String> hosts;
    private final BrowserSessions sessions;

    /**
     * The checks of one server.
     *
     * @param tokens where tokens are checked
     * @param hosts host names served besides the loopback names (e.g. {@code aios.example.com}),
     *     as a reverse proxy passes them in {@code Host}
     * @param secure whether the server is reached over HTTPS, so that session cookies are marked
     *     {@code Secure}
     */
    public Access(Tokens tokens, List<String> hosts, boolean secure) {
        this.tokens = tokens;
        this.hosts = hosts.stream().map(Access::hostName).collect(Collectors.toUnmodifiableSet());
        this.sessions = new BrowserSessions(java.time.InstantSource.system(), secure);
    }

    /** The browser sessions of this server, which the console signs in to as well. */
    public BrowserSessions sessions() {
        return sessions;
    }

    /** What a route needs: a token (or session) with {@code scope} or one that includes it. */
    public static RouteRole scope(Scope scope) {
        return NEEDS.get(scope);
    }

    /** What {@code roles} let through: {@code open}, a scope's name, or {@code closed}. */
    static String describe(Set<RouteRole> roles) {
        if (roles.contains(OPEN)) {
            return "open";
        }
        if (roles.contains(SELF)) {
            return "self";
        }
        if (roles.contains(TOKEN)) {
            return "any";
        }
        return roles.stream()
                .filter(Needs.class::isInstance)
                .map(role -> ((Needs) role).scope().wire())
                .findFirst()
                .orElse("closed");
    }

    /** The checks of the server answering {@code ctx}. */
    public static Access of(Context ctx) {
        Access access = ctx.attribute(ACCESS);
        if (access == null) {
            throw new IllegalStateException("no access checks on this server");
        }
        return access;
    }

    /** Who made the request, as checked for its route; empty on an {@link #OPEN} route. */
    public static Optional<Caller> caller(Context ctx) {
        return Optional.ofNullable(ctx.attribute(CALLER));
    }

    /**
     * Checks that the request comes from a caller allowed {@code needed}, for a handler that
     * decides what it needs from the request itself; the same answers as a route's own check.
     *
     * @throws Denied 401 without a valid token, 403 with one that does not allow {@code needed}
     */
    public Caller require(Context ctx, Scope needed) {
        var caller = authenticate(ctx);
        if (!caller.can(needed)) {
            throw Denied.forbidden(caller, needed, ctx);
        }
        return caller;
    }

    /**
     * Opens a browser session for {@code token}: sets a cookie ({@code HttpOnly}, {@code
     * SameSite=Strict}, {@code Secure} over HTTPS) that stands for the token until it has not been
     * used for {@link #SESSION_LENGTH}, or the token is revoked or expires. The console's pages take
     * the same session.
     *
     * @throws Denied 401 when the token is not valid
     */
    public Caller signIn(Context ctx, String token) {
        var caller = tokens.authenticate(token).orElseThrow(() -> Denied.invalid());
        sessions.start(ctx, token);
        return caller;
    }

    /** Ends the request's browser session, if it has one (in the console too). */
    public void signOut(Context ctx) {
        sessions.end(ctx);
    }

    /** Adds the checks to {@code routes}: before every request, and before every matched route. */
    void install(RoutesConfig routes) {
        routes.before(ctx -> {
            ctx.attribute(ACCESS, this);
            Actor.end();
            checkHost(ctx);
        });
        routes.beforeMatched(ctx -> {
            var roles = ctx.routeRoles();
            if (roles.contains(SELF) || (roles.isEmpty() && isAsset(ctx.path()))) {
                return;
            }
            if (changes(ctx.method())) {
                checkOrigin(ctx);
                checkContentType(ctx);
            }
            if (roles.contains(OPEN)) {
                return;
            }
            if (roles.contains(TOKEN)) {
                var caller = authenticate(ctx);
                ctx.attribute(CALLER, caller);
                Actor.begin(caller.name());
                return;
            }
            var needed = roles.stream()
                    .filter(Needs.class::isInstance)
                    .map(role -> ((Needs) role).scope())
                    .findFirst()
                    .orElseThrow(() -> Denied.closed(ctx));
            var caller = require(ctx, needed);
            ctx.attribute(CALLER, caller);
            Actor.begin(caller.name());
        });
        routes.after(ctx -> Actor.end());
        routes.exception(Denied.class, (e, ctx) -> e.answer(ctx));
    }

    private Caller authenticate(Context ctx) {
        var header = ctx.header("Authorization");
        if (header != null) {
            var parts = header.strip().split("\\s+", 2);
            if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
                throw Denied.unauthenticated("the Authorization header must be 'Bearer <token>'");
            }
            return tokens.authenticate(parts[1].strip()).orElseThrow(() -> Denied.invalid());
        }
        if (sessions.named(ctx)) {
            var session = sessions.find(ctx)
                    .orElseThrow(
                            () -> Denied.unauthenticated("the browser session has ended; sign in again with a token"));
            return tokens.authenticate(session.token()).orElseThrow(() -> {
                sessions.end(ctx);
                return Denied.invalid();
            });
        }
        throw Denied.unauthenticated("this needs a token: send 'Authorization: Bearer <token>'. The admin token"
                + " is in the data directory's admin.token file; create others with 'aios token create'");
    }

    private void checkHost(Context ctx) {
        var host = ctx.header("Host");
        if (host == null || host.isBlank()) {
            throw Denied.misdirected("a request must name the host it is for (the Host header)");
        }
        var name = hostName(host);
        // An address names no site, so DNS rebinding (a foreign name resolving to this machine) is
        // always a name: addresses are served as they are, names only when known.
        if (!LOOPBACK.contains(name) && !isAddress(name) && !hosts.contains(name)) {
            throw Denied.misdirected("aios does not serve the host '" + name + "'; if it is reached under this"
                    + " name (through a reverse proxy or DNS), add it to server.hosts in aios.yaml");
        }
    }

    private static void checkOrigin(Context ctx) {
        var origin = ctx.header("Origin");
        if (origin == null) {
            return;
        }
        var host = ctx.header("Host");
        var expected = Set.of("http://" + host, "https://" + host).stream()
                .map(value -> value.toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        var forwarded = ctx.header("X-Forwarded-Host");
        if (forwarded != null) {
            expected = new java.util.HashSet<>(expected);
            expected.add("https://" + forwarded.toLowerCase(Locale.ROOT));
            expected.add("http://" + forwarded.toLowerCase(Locale.ROOT));
        }
        if (!expected.contains(origin.strip().toLowerCase(Locale.ROOT))) {
            throw Denied.crossSite("a request from " + origin + " may not change anything here; aios only takes"
                    + " changes from its own pages and from clients that send no Origin");
        }
    }

    private static void checkContentType(Context ctx) {
        var type = ctx.header("Content-Type");
        if (type == null) {
            boolean empty = ctx.bodyAsBytes().length == 0;
            if (empty && ctx.header("Authorization") != null) {
                return;
            }
            throw Denied.unsupported(
                    empty
                            ? "a change made with a browser session must be sent as JSON: Content-Type: application/json"
                            : "the body must be JSON: send Content-Type: application/json");
        }
        var media = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json") && !(media.startsWith("application/") && media.endsWith("+json"))) {
            throw Denied.unsupported("the body must be JSON (Content-Type: application/json), was " + media);
        }
    }

    private static boolean changes(HandlerType method) {
        return !method.equals(HandlerType.GET)
                && !method.equals(HandlerType.HEAD)
                && !method.equals(HandlerType.OPTIONS);
    }

    /** The console's static files: stylesheets, scripts and WebJars, which hold nothing private. */
    private static boolean isAsset(String path) {
        return path.startsWith("/assets/") || path.startsWith("/webjars/");
    }

    private static boolean isAddress(String name) {
        return IPV4.matcher(name).matches() || (name.startsWith("[") && name.endsWith("]"));
    }

    private static final java.util.regex.Pattern IPV4 =
            java.util.regex.Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

    /** The host name of a Host header or configured name, without port, lower-case. */
    static String hostName(String host) {
        var value = host.strip().toLowerCase(Locale.ROOT);
        if (value.startsWith("[")) {
            int end = value.indexOf(']');
            return end > 0 ? value.substring(0, end + 1) : value;
        }
        int colon = value.indexOf(':');
        return colon >= 0 && value.indexOf(':', colon + 1) < 0 ? value.substring(0, colon) : value;
    }
}
