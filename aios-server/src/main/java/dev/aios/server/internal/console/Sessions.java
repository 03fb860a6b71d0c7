package dev.aios.server.internal.console;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed-in browsers: a random session id in an {@code HttpOnly; SameSite=Strict} cookie (and
 * {@code Secure} over TLS), mapped in memory to the token the operator signed in with and the
 * session's CSRF token. Sessions end after {@link #IDLE} without a request.
 */
final class Sessions {
    static final String COOKIE = "aios_session";
    static final Duration IDLE = Duration.ofHours(12);

    /** One signed-in browser. */
    static final class Session {
        final String id;
        final String token;
        final String csrf;
        volatile Instant lastSeen;
        volatile String flash;

        private Session(String id, String token, String csrf, Instant lastSeen) {
            this.id = id;
            this.token = token;
            this.csrf = csrf;
            this.lastSeen = lastSeen;
        }

        /** The message set for the next page, once. */
        Optional<String> takeFlash() {
            var message = flash;
            flash = null;
            return Optional.ofNullable(message);
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final InstantSource clock;

    Sessions(InstantSource clock) {
        this.clock = clock;
    }

    /** Starts a session for {@code token} and sets its cookie. */
    Session start(Context ctx, String token) {
        expire();
        var session = new Session(LocalAccess.random(), token, LocalAccess.random(), clock.instant());
        sessions.put(session.id, session);
        ctx.cookie(new Cookie(COOKIE, session.id, "/", -1, ctx.req().isSecure(), true, null, SameSite.STRICT));
        return session;
    }

    /** The session the request's cookie names, if it is still going. */
    Optional<Session> find(Context ctx) {
        var id = ctx.cookie(COOKIE);
        if (id == null) {
            return Optional.empty();
        }
        var session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        var now = clock.instant();
        if (session.lastSeen.plus(IDLE).isBefore(now)) {
            sessions.remove(id);
            return Optional.empty();
        }
        session.lastSeen = now;
        return Optional.of(session);
    }

    /** Ends the request's session and clears its cookie. */
    void end(Context ctx) {
        var id = ctx.cookie(COOKIE);
        if (id != null) {
            sessions.remove(id);
        }
        ctx.cookie(new Cookie(COOKIE, "", "/", 0, ctx.req().isSecure(), true, null, SameSite.STRICT));
    }

    private void expire() {
        var cutoff = clock.instant().minus(IDLE);
        sessions.values().removeIf(s -> s.lastSeen.isBefore(cutoff));
    }
}
