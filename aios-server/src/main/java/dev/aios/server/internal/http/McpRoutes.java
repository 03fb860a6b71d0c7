package dev.aios.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.Caller;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.Scope;
import dev.aios.memory.MemoryExtension;
import dev.aios.server.Access;
import dev.aios.server.ApiServer;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.mcp.McpTools;
import dev.aios.server.internal.mcp.ToolFailure;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.HttpHeaders;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;

/**
 * aios as an MCP server over the streamable HTTP transport at {@code /mcp}: JSON-RPC messages
 * {@code POST}ed, answers as server-sent events, a session named by {@code Mcp-Session-Id} and ended
 * with {@code DELETE}. Any valid token may connect; it sees the tools its scopes allow (see {@link
 * McpTools}); calling another is answered with a JSON-RPC error that names the scope needed, and
 * nothing changes.
 * A session belongs to the token that opened it. Sessions are bounded (see {@link SessionLimits}): one
 * unused for too long expires, and a token holds a limited number, opening one more ends its least
 * recently used; a request naming a session that expired, ended or never existed is answered 404, on
 * which MCP clients open a new session. aios sends nothing unasked, so {@code GET} (a stream for
 * messages from the server) is answered 405, as the transport allows.
 */
public final class McpRoutes implements ApiServer.Routes {
    /** Where the endpoint is served. */
    public static final String PATH = "/mcp";

    /** JSON-RPC's code for a call the caller may not make (in the range left to servers). */
    static final int FORBIDDEN = -32003;

    private static final String CALLER = "aios.mcp.caller";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(McpRoutes.class);

    /** The MCP library's side of the endpoint, made on the first request (see {@link #endpoint()}). */
    private volatile Endpoint endpoint;

    private final Kernel kernel;
    private final MemoryExtension memory;
    private final InstantSource clock;
    private final McpSessions sessions;

    /**
     * The transport that answers requests and the server behind it (held so that it stays
     * referenced).
     */
    private record Endpoint(HttpServletStreamableServerTransportProvider transport, McpSyncServer server) {}

    /**
     * How the endpoint's sessions are bounded ({@code server.mcp} in aios.yaml).
     *
     * @param idle how long a session lives unused ({@code idle}, default 30 minutes)
     * @param perToken how many sessions one token may hold ({@code sessionsPerToken}, default 10)
     */
    public record SessionLimits(Duration idle, int perToken) {
        /** 30 minutes idle, 10 sessions a token. */
        public static final SessionLimits DEFAULTS = new SessionLimits(Duration.ofMinutes(30), 10);

        /**
         * @throws IllegalArgumentException saying which setting is wrong and what it takes
         */
        public SessionLimits {
            if (idle.isNegative() || idle.isZero()) {
                throw new IllegalArgumentException("server.mcp.idle must be longer than zero, e.g. 30m; was " + idle);
            }
            if (perToken < 1) {
                throw new IllegalArgumentException(
                        "server.mcp.sessionsPerToken must be at least 1, e.g. 10; was " + perToken);
            }
        }
    }

    /** The endpoint onto {@code kernel} and {@code memory} with the default session limits. */
    public McpRoutes(Kernel kernel, MemoryExtension memory, InstantSource clock) {
        this(kernel, memory, clock, SessionLimits.DEFAULTS);
    }

    /**
     * The endpoint onto {@code kernel} and {@code memory}; {@code clock} stamps the events sent and
     * tells when a session has been idle too long.
     */
    public McpRoutes(Kernel kernel, MemoryExtension memory, InstantSource clock, SessionLimits limits) {
        this.kernel = kernel;
        this.memory = memory;
        this.clock = clock;
        this.sessions = new McpSessions(limits, clock);
    }

    /**
     * The MCP library's transport and server, made on the first request to {@code /mcp}: loading
     * the library and describing every tool is work that {@code /health} need not wait for, and
     * most starts never see an MCP client.
     */
    private HttpServletStreamableServerTransportProvider transport() {
        var made = endpoint;
        if (made == null) {
            synchronized (this) {
                made = endpoint;
                if (made == null) {
                    made = newEndpoint();
                    endpoint = made;
                }
            }
        }
        return made.transport();
    }

    private Endpoint newEndpoint() {
        var transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(McpTools.MAPPER)
                .mcpEndpoint(PATH)
                .maxRequestSize((int) ApiServer.MAX_BODY_BYTES)
                .contextExtractor(request -> McpTransportContext.create(Map.of(CALLER, request.getAttribute(CALLER))))
                .build();
        var server = McpTools.build(
                McpServer.sync(transport).immediateExecution(true).addToolFilter((context, tool) -> McpTools.needs(
                                tool.name())
                        .map(needed -> caller(context).can(needed))
                        .orElse(true)),
                new KernelCalls(kernel, memory, clock),
                (context, name, needed) -> {
                    var caller = caller(context);
                    if (!caller.can(needed)) {
                        throw new ToolFailure(refusal(caller, name, needed));
                    }
                });
        return new Endpoint(transport, server);
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.post(PATH, this::post, Access.TOKEN);
        routes.delete(PATH, this::delete, Access.TOKEN);
        routes.get(
                PATH,
                ctx -> ctx.status(405)
                        .header("Allow", "POST, DELETE")
                        .json(error(null, -32000, "aios sends nothing unasked: POST requests to " + PATH)),
                Access.TOKEN);
    }

    private void post(Context ctx) throws Exception {
        var caller = Access.caller(ctx).orElseThrow();
        sessions.expired().forEach(id -> end(ctx, id, caller));
        var body = ctx.bodyAsBytes();
        var message = parse(body);
        if (message.path("method").asText().equals("tools/call")) {
            var tool = message.path("params").path("name").asText();
            var needed = McpTools.needs(tool);
            if (needed.isPresent() && !caller.can(needed.get())) {
                // A JSON-RPC error rather than 403: MCP clients show its message, not an HTTP status.
                ctx.json(error(message.get("id"), FORBIDDEN, refusal(caller, tool, needed.get())));
                return;
            }
        }
        if (!ownedBy(ctx, caller)) {
            return;
        }
        ctx.req().setAttribute(CALLER, caller);
        transport().service(new Replayed(ctx.req(), body), ctx.res());
        var opened = ctx.res().getHeader(HttpHeaders.MCP_SESSION_ID);
        if (opened != null && message.path("method").asText().equals("initialize")) {
            sessions.opened(opened, caller.name()).forEach(id -> end(ctx, id, caller));
        }
    }

    private void delete(Context ctx) throws Exception {
        var caller = Access.caller(ctx).orElseThrow();
        sessions.expired().forEach(id -> end(ctx, id, caller));
        if (!ownedBy(ctx, caller)) {
            return;
        }
        ctx.req().setAttribute(CALLER, caller);
        transport().service(ctx.req(), ctx.res());
        var session = ctx.header(HttpHeaders.MCP_SESSION_ID);
        if (session != null && ctx.res().getStatus() == 200) {
            sessions.ended(session);
        }
    }

    /**
     * Whether the request's session (if it names one) is open and was opened by {@code caller};
     * else answers 404, on which an MCP client opens a new session.
     */
    private boolean ownedBy(Context ctx, Caller caller) {
        var session = ctx.header(HttpHeaders.MCP_SESSION_ID);
        if (session == null || sessions.use(session, caller.name())) {
            return true;
        }
        // Another token's session is answered as one that does not exist: whether it does is not the caller's business.
        ctx.status(404)
                .json(error(
                        null,
                        -32001,
                        "session not found: it expired, was ended or never existed; start a new one with initialize"));
        return false;
    }

    /** Ends session {@code id} in the MCP library, freeing what it holds, as a client's DELETE would. */
    private void end(Context ctx, String id, Caller caller) {
        try {
            var request = new Ending(ctx.req(), id);
            request.setAttribute(CALLER, caller);
            var answer = new Discarded();
            transport().service(request, answer.response());
            if (answer.status() != 200) {
                LOG.warn("the MCP library answered {} when ending the expired session {}", answer.status(), id);
            }
        } catch (Exception e) {
            LOG.warn("could not end the expired MCP session {}: {}", id, e.toString());
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            return Json.mapper().readTree(body);
        } catch (java.io.IOException e) {
            // The MCP library answers what it cannot read.
            return Json.mapper().missingNode();
        }
    }

    private static Caller caller(McpTransportContext context) {
        if (context.get(CALLER) instanceof Caller caller) {
            return caller;
        }
        throw new IllegalStateException("an MCP request reached aios without its caller");
    }

    private static String refusal(Caller caller, String name, Scope needed) {
        return "token '" + caller.name() + "' (scope " + Scope.names(caller.scopes()) + ") may not use " + name
                + ": that needs " + needed.wire() + "; nothing changed";
    }

    private static JsonNode error(JsonNode id, int code, String message) {
        var answer = Json.mapper().createObjectNode().put("jsonrpc", "2.0");
        answer.set("id", id == null ? Json.mapper().nullNode() : id);
        answer.putObject("error").put("code", code).put("message", message);
        return answer;
    }

    /** A {@code DELETE} of session {@code id}, made on behalf of the request being served. */
    private static final class Ending extends HttpServletRequestWrapper {
        private final String id;
        private final Map<String, Object> attributes = new java.util.HashMap<>();

        Ending(HttpServletRequest request, String id) {
            super(request);
            this.id = id;
        }

        @Override
        public String getMethod() {
            return "DELETE";
        }

        @Override
        public String getHeader(String name) {
            return name.equalsIgnoreCase(HttpHeaders.MCP_SESSION_ID) ? id : super.getHeader(name);
        }

        @Override
        public java.util.Enumeration<String> getHeaders(String name) {
            return name.equalsIgnoreCase(HttpHeaders.MCP_SESSION_ID)
                    ? java.util.Collections.enumeration(java.util.List.of(id))
                    : super.getHeaders(name);
        }

        @Override
        public Object getAttribute(String name) {
            return attributes.containsKey(name) ? attributes.get(name) : super.getAttribute(name);
        }

        @Override
        public void setAttribute(String name, Object value) {
            attributes.put(name, value);
        }
    }

    /** The request with its body, which Javalin has read already, to be read again. */
    private static final class Replayed extends HttpServletRequestWrapper {
        private final byte[] body;

        Replayed(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            var in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return in.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body is read at once");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }
    }
}
