package dev.aios.connectors.internal.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Durations;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One MCP server whose tools playbooks may call, from {@code mcp:} in {@code aios.yaml}: started as
 * a process speaking MCP on its standard input and output ({@code command}), or reached over
 * streamable HTTP ({@code url}).
 *
 * <pre>{@code
 * mcp:
 *   everything:
 *     command: [npx, -y, "@modelcontextprotocol/server-everything"]
 *     env: { API_KEY: EVERYTHING_KEY }     # environment variable: name of the secret holding it
 *   crm:
 *     url: https://crm.example.com/mcp
 *     token: CRM_TOKEN                      # sent as a bearer token
 *     timeout: 30s
 * }</pre>
 *
 * @param name the server's name in playbooks ({@code server: everything})
 * @param command the process to start, for a stdio server
 * @param url the endpoint, for a streamable-HTTP server
 * @param env environment variables of the process, each the name of the secret holding its value
 * @param token the name of the secret holding a bearer token, for an HTTP server
 * @param timeout how long a call (and starting the server) may take
 */
public record McpServerSettings(
        String name,
        List<String> command,
        Optional<URI> url,
        Map<String, String> env,
        Optional<String> token,
        Duration timeout) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final List<String> KEYS = List.of("command", "url", "env", "token", "timeout");

    public McpServerSettings {
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }

    /** Reads {@code mcp:}, a mapping of server names to servers. */
    public static Map<String, McpServerSettings> readAll(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(
                    "mcp: must map server names to servers, e.g. mcp: { crm: { url: ... } }");
        }
        var servers = new TreeMap<String, McpServerSettings>();
        node.fields().forEachRemaining(entry -> servers.put(entry.getKey(), read(entry.getKey(), entry.getValue())));
        return servers;
    }

    private static McpServerSettings read(String name, JsonNode node) {
        var path = "mcp." + name;
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(path + ": a server name is lower-case letters, digits and dashes");
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(path + ": give command: [...] or url: ...");
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        path + ": unknown setting '" + key + "'; the settings are " + String.join(", ", KEYS));
            }
        });
        var command = new ArrayList<String>();
        var commandNode = node.get("command");
        if (commandNode != null && commandNode.isArray()) {
            commandNode.forEach(part -> command.add(part.asText()));
        } else if (commandNode != null && commandNode.isTextual()) {
            command.addAll(List.of(commandNode.asText().strip().split("\\s+")));
        }
        var url = Optional.ofNullable(node.get("url")).map(JsonNode::asText).filter(u -> !u.isBlank());
        if (command.isEmpty() == url.isEmpty()) {
            throw new IllegalArgumentException(path + ": give either command: [program, args...] (stdio) or url:"
                    + " https://... (streamable HTTP), not both");
        }
        Optional<URI> uri = Optional.empty();
        if (url.isPresent()) {
            try {
                uri = Optional.of(URI.create(url.get()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + ".url: '" + url.get() + "' is not a URL");
            }
            if (!"http".equals(uri.get().getScheme())
                    && !"https".equals(uri.get().getScheme())) {
                throw new IllegalArgumentException(path + ".url: must start with http:// or https://");
            }
        }
        var env = new LinkedHashMap<String, String>();
        var envNode = node.get("env");
        if (envNode != null && !envNode.isNull()) {
            if (!envNode.isObject()) {
                throw new IllegalArgumentException(path + ".env: map variable names to secret names");
            }
            envNode.fields()
                    .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        var token = Optional.ofNullable(node.get("token")).map(JsonNode::asText).filter(t -> !t.isBlank());
        var timeout = Optional.ofNullable(node.get("timeout"))
                .map(t -> Durations.parse(t.asText(), path + ".timeout"))
                .orElse(Duration.ofSeconds(60));
        return new McpServerSettings(name, command, uri, env, token, timeout);
    }

    /** The names of the secrets this server uses. */
    public List<String> secretNames() {
        var names = new ArrayList<>(env.values());
        token.ifPresent(names::add);
        return names;
    }
}
