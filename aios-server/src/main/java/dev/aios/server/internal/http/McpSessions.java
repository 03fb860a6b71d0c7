package dev.aios.server.internal.http;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The open sessions of the MCP endpoint, bounded: a session not used for {@link
 * McpRoutes.SessionLimits#idle()} expires, and a token holds at most {@link
 * McpRoutes.SessionLimits#perToken()} sessions, opening one more ends its least recently used. A session expired, ended or never opened is unknown, which the endpoint
 * answers 404 so that the client opens a new one, as MCP's transport asks.
 */
final class McpSessions {
    /** An open session: the token that opened it and when it was last used. */
    private record Session(String owner, Instant used) {}

    private final McpRoutes.SessionLimits settings;
    private final InstantSource clock;
    private final Map<String, Session> open = new HashMap<>();

    McpSessions(McpRoutes.SessionLimits settings, InstantSource clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Whether session {@code id} is open and was opened by {@code owner}; if so it counts as used
     * now. A session that has been idle too long is forgotten (see {@link #expired()}).
     */
    synchronized boolean use(String id, String owner) {
        var session = open.get(id);
        if (session == null || !session.owner().equals(owner) || idle(session)) {
            return false;
        }
        open.put(id, new Session(owner, clock.instant()));
        return true;
    }

    /**
     * Records session {@code id} opened by {@code owner}.
     *
     * @return the sessions of {@code owner} ended to make room, least recently used first
     */
    synchronized List<String> opened(String id, String owner) {
        open.put(id, new Session(owner, clock.instant()));
        var owned = new ArrayList<Map.Entry<String, Session>>();
        for (var entry : open.entrySet()) {
            if (entry.getValue().owner().equals(owner)) {
                owned.add(entry);
            }
        }
        owned.sort(Comparator.comparing(entry -> entry.getValue().used()));
        var ended = new ArrayList<String>();
        for (int i = 0; i < owned.size() - settings.perToken(); i++) {
            ended.add(owned.get(i).getKey());
        }
        ended.forEach(open::remove);
        return ended;
    }

    /** Forgets session {@code id}, which its client ended. */
    synchronized void ended(String id) {
        open.remove(id);
    }

    /** Forgets the sessions idle too long and answers their ids, for their resources to be freed. */
    synchronized List<String> expired() {
        var expired = new ArrayList<String>();
        for (var entry : open.entrySet()) {
            if (idle(entry.getValue())) {
                expired.add(entry.getKey());
            }
        }
        expired.forEach(open::remove);
        return expired;
    }

    /** How many sessions are open. */
    synchronized int size() {
        return open.size();
    }

    private boolean idle(Session session) {
        return !session.used().plus(settings.idle()).isAfter(clock.instant());
    }
}
