package dev.aios.connectors.internal.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.connectors.internal.Secrets;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP servers aios talks to: each started (or connected) on first use, with its tools listed
 * once, and dropped after a failure so the next call starts it afresh. Closing stops the processes.
 */
public final class McpConnections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpConnections.class);
    private static final JacksonMcpJsonMapper JSON = new JacksonMcpJsonMapper(new ObjectMapper());

    /** A connected server and its tools by name. */
    record Connection(McpSyncClient client, Map<String, McpSchema.Tool> tools) {}

    private final Map<String, McpServerSettings> servers;
    private final Secrets secrets;
    private final Map<String, Connection> open = new ConcurrentHashMap<>();

    public McpConnections(Map<String, McpServerSettings> servers, Secrets secrets) {
        this.servers = Map.copyOf(servers);
        this.secrets = secrets;
    }

    /** The settings of a declared server. */
    McpServerSettings settings(String server) {
        var settings = servers.get(server);
        if (settings == null) {
            throw new McpFailure(
                    "no MCP server '" + server + "' is declared; declare it under mcp: in aios.yaml"
                            + (servers.isEmpty() ? "" : " (declared: " + String.join(", ", servers.keySet()) + ")"),
                    false);
        }
        return settings;
    }

    /** The connection to {@code server}, started now if it is not open. */
    Connection connection(String server) {
        var settings = settings(server);
        synchronized (this) {
            var existing = open.get(server);
            if (existing != null) {
                return existing;
            }
            var client = McpClient.sync(transport(settings))
                    .requestTimeout(settings.timeout())
                    .initializationTimeout(settings.timeout())
                    .clientInfo(new McpSchema.Implementation("aios", "1"))
                    .build();
            try {
                client.initialize();
                var tools = new LinkedHashMap<String, McpSchema.Tool>();
                String cursor = null;
                do {
                    var page = cursor == null ? client.listTools() : client.listTools(cursor);
                    page.tools().forEach(tool -> tools.put(tool.name(), tool));
                    cursor = page.nextCursor();
                } while (cursor != null && tools.size() < 10_000);
                var connection = new Connection(client, Map.copyOf(tools));
                open.put(server, connection);
                LOG.info("MCP server '{}' is connected with {} tools", server, tools.size());
                return connection;
            } catch (RuntimeException e) {
                closeQuietly(client);
                throw new McpFailure(
                        "MCP server '" + server + "' could not be started or did not answer: " + describe(e)
                                + "; check mcp." + server + " in aios.yaml",
                        true,
                        e);
            }
        }
    }

    /** Forgets a connection after a failure; the next call starts the server again. */
    void drop(String server, Connection connection) {
        if (open.remove(server, connection)) {
            closeQuietly(connection.client());
        }
    }

    private McpClientTransport transport(McpServerSettings settings) {
        if (settings.url().isPresent()) {
            var request = HttpRequest.newBuilder();
            settings.token()
                    .ifPresent(name -> request.header(
                            "Authorization", "Bearer " + secrets.require(name, "mcp." + settings.name())));
            var url = settings.url().get();
            var base = url.getScheme() + "://" + url.getRawAuthority();
            var path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/mcp" : url.getRawPath();
            return HttpClientStreamableHttpTransport.builder(base)
                    .endpoint(path)
                    .jsonMapper(JSON)
                    .requestBuilder(request)
                    .build();
        }
        var env = new LinkedHashMap<String, String>();
        settings.env()
                .forEach((variable, secret) -> env.put(variable, secrets.require(secret, "mcp." + settings.name())));
        var parameters = ServerParameters.builder(settings.command().getFirst())
                .args(settings.command().subList(1, settings.command().size()))
                .env(env)
                .build();
        var transport = new StdioClientTransport(parameters, JSON);
        transport.setStdErrorHandler(line -> LOG.debug("mcp.{}: {}", settings.name(), line));
        return transport;
    }

    static String describe(Throwable e) {
        var cause = e;
        while (cause.getCause() != null && cause.getCause() != cause && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        var message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message.length() > 500 ? message.substring(0, 500) + "…" : message;
    }

    private static void closeQuietly(McpSyncClient client) {
        try {
            client.closeGracefully();
        } catch (RuntimeException e) {
            client.close();
        }
    }

    @Override
    public void close() {
        List.copyOf(open.keySet()).forEach(server -> {
            var connection = open.remove(server);
            if (connection != null) {
                closeQuietly(connection.client());
            }
        });
    }

    /** A call that failed: {@code retryable} when trying again may help (the server died, timed out). */
    static final class McpFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean retryable;

        McpFailure(String message, boolean retryable) {
            super(message);
            this.retryable = retryable;
        }

        McpFailure(String message, boolean retryable, Throwable cause) {
            super(message, cause);
            this.retryable = retryable;
        }
    }
}
