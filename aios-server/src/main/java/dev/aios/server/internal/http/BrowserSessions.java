package dev.aios.server.internal.http;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed-in browsers, one mechanism for the console and the API's {@code /api/session}: a random
 * session id in an {@code HttpOnly; SameSite=Strict} cookie (and {@code Secure} over TLS), mapped in
 * memory to the token the browser signed in with and the session's CSRF token. A session stands for
 * its token only while the token itself is valid (whoever uses a session asks about the token again
 * on every request), so revoking a token ends its sessions; a session also ends after {@link #IDLE}
 * without a request.
 */
public final class BrowserSessions {
    /** The name of the session cookie. */
    public static final String COOKIE = "aios_session";

    /** How long a session lasts without a request. */
    public static final Duration IDLE = Duration.ofHours(12);

    private static final SecureRandom RANDOM = new SecureRandom();

    /** One signed-in browser. */
    public static final class Session {
        private final String token;
        private final String csrf;
        private volatile Instant lastSeen;
        private volatile String flash;

        private Session(String token, String csrf, Instant lastSeen) {
            this.token = token;
            this.csrf = csrf;
            this.lastSeen = lastSeen;
        }

        /** The token the browser signed in with; check it before trusting the session. */
        public String token() {
            return token;
        }

        /** The token a form of this session carries, so that no other site's form passes. */
        public String csrf() {
            return csrf;
        }

        /** Sets the message the next page shows once. */
        public void flash(String message) {
            flash = message;
        }

        /** The message set for the next page, once. */
        public Optional<String> takeFlash() {
            var message = flash;
            flash = null;
            return Optional.ofNullable(message);
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final InstantSource clock;
    private final boolean secure;

    /**
     * @param secure whether the server is reached over HTTPS (also through a proxy), so that cookies
     *     are marked {@code Secure}
     */
    public BrowserSessions(InstantSource clock, boolean secure) {
        this.clock = clock;
        this.secure = secure;
    }

    /** Starts a session for {@code token} (which the caller has checked) and sets its cookie. */
    public Session start(Context ctx, String token) {
        expire();
        var id = random();
        var session = new Session(token, random(), clock.instant());
        sessions.put(id, session);
        ctx.cookie(new Cookie(COOKIE, id, "/", -1, secure || ctx.req().isSecure(), true, null, SameSite.STRICT));
        return session;
    }

    /** Whether the request names a session at all, going or not. */
    public boolean named(Context ctx) {
        return ctx.cookie(COOKIE) != null;
    }

    /** The session the request's cookie names, if it is still going. */
    public Optional<Session> find(Context ctx) {
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
    public void end(Context ctx) {
        var id = ctx.cookie(COOKIE);
        if (id != null) {
            sessions.remove(id);
        }
        ctx.cookie(new Cookie(COOKIE, "", "/", 0, secure || ctx.req().isSecure(), true, null, SameSite.STRICT));
    }

    private void expire() {
        var cutoff = clock.instant().minus(IDLE);
        sessions.values().removeIf(s -> s.lastSeen.isBefore(cutoff));
    }

    private static String random() {
        var bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
