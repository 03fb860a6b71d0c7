package dev.aios.server;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import java.net.http.HttpRequest;
import java.time.Duration;

/** The official MCP SDK's client of aios's {@code /mcp} endpoint, as the tests open it. */
final class McpClients {
    private McpClients() {}

    /** A client of {@code baseUrl}'s {@code /mcp} that sends {@code token}; not initialized yet. */
    static McpSyncClient overHttp(String baseUrl, String token) {
        var transport = HttpClientStreamableHttpTransport.builder(baseUrl)
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .build();
        return McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(60))
                .build();
    }
}
