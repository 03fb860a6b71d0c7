package dev.aios.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.kernel.ConnectorPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's settings file, {@code aios.yaml}: one section per part of aios ({@code models},
 * {@code memory}, {@code connectors}, {@code backup}), each read by the part it configures. A missing file means
 * defaults everywhere; a file that cannot be read is a clear error naming the file.
 *
 * <pre>{@code
 * connectors:
 *   payments:
 *     breaker: { failureRate: 50, window: 10, minimumCalls: 5, openFor: 30s }
 *     rateLimit: { calls: 10, per: 1s }
 * }</pre>
 */
public final class AiosConfig {
    private static final List<String> SECTIONS = java.util.stream.Stream.concat(
                    java.util.stream.Stream.of(
                            "models",
                            "memory",
                            "connectors",
                            "policy",
                            "server",
                            "kernel",
                            "backup",
                            "tracing",
                            "store"),
                    dev.aios.connectors.ConnectorSettings.SECTIONS.stream())
            .distinct()
            .toList();

    private final Optional<Path> file;
    private final ObjectNode root;

    private AiosConfig(Optional<Path> file, ObjectNode root) {
        this.file = file;
        this.root = root;
    }

    /** No settings: defaults everywhere. */
    public static AiosConfig empty() {
        return new AiosConfig(Optional.empty(), JsonNodeFactory.instance.objectNode());
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong
     */
    public static AiosConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the settings file " + file + ": " + e.getMessage(), e);
        }
        JsonNode tree;
        try {
            tree = new YAMLMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    file + ": not valid YAML: " + e.getOriginalMessage()
                            + (e.getLocation() == null
                                    ? ""
                                    : " (line " + e.getLocation().getLineNr() + ")"),
                    e);
        }
        if (tree == null || tree.isNull() || tree.isMissingNode()) {
            return new AiosConfig(Optional.of(file), JsonNodeFactory.instance.objectNode());
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new IllegalArgumentException(file + ": must be a mapping with sections " + SECTIONS);
        }
        object.fieldNames().forEachRemaining(name -> {
            if (!SECTIONS.contains(name)) {
                throw new IllegalArgumentException(
                        file + ": unknown section '" + name + "'; the sections are " + String.join(", ", SECTIONS));
            }
        });
        return new AiosConfig(Optional.of(file), object);
    }

    /** The file read, if any. */
    public Optional<Path> file() {
        return file;
    }

    /** One section; an empty mapping when absent. */
    public JsonNode section(String name) {
        if (!SECTIONS.contains(name)) {
            throw new IllegalArgumentException("unknown section " + name);
        }
        var section = root.get(name);
        return section == null || section.isNull() ? JsonNodeFactory.instance.objectNode() : section;
    }

    /** The {@code connectors} section as policies by connector name ({@code *} for all others). */
    public Map<String, ConnectorPolicy> connectors() {
        var policies = new LinkedHashMap<String, ConnectorPolicy>();
        var section = section("connectors");
        section.properties().forEach(entry -> {
            String where = where() + "connectors." + entry.getKey();
            try {
                policies.put(entry.getKey(), policy(entry.getValue(), where));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        });
        return policies;
    }

    private String where() {
        return file.map(f -> f + ": ").orElse("");
    }

    private static ConnectorPolicy policy(JsonNode node, String where) {
        var policy = ConnectorPolicy.DEFAULT;
        var breaker = node.path("breaker");
        if (!breaker.isMissingNode()) {
            policy = policy.withBreaker(
                    breaker.path("failureRate").asInt(policy.failureRatePercent()),
                    breaker.path("window").asInt(policy.window()),
                    breaker.path("minimumCalls").asInt(policy.minimumCalls()),
                    breaker.has("openFor") ? duration(breaker.path("openFor").asText()) : policy.openFor());
        }
        var limit = node.path("rateLimit");
        if (!limit.isMissingNode()) {
            policy = policy.withRateLimit(
                    limit.path("calls").asInt(0), duration(limit.path("per").asText("1s")));
        }
        return policy;
    }

    /**
     * The {@code kernel} section as limits: {@code maxEventDepth} (the longest chain of runs started
     * by emitted events, 8) and {@code expressionTime} (the longest one CEL evaluation may take, 1s).
     */
    public dev.aios.kernel.Limits limits() {
        var section = section("kernel");
        var limits = dev.aios.kernel.Limits.DEFAULT;
        try {
            section.fieldNames().forEachRemaining(name -> {
                if (!name.equals("maxEventDepth") && !name.equals("expressionTime") && !name.equals("keyring")) {
                    throw new IllegalArgumentException(
                            "unknown setting '" + name + "'; the settings are maxEventDepth, expressionTime, keyring");
                }
            });
            if (section.has("maxEventDepth")) {
                if (!section.get("maxEventDepth").canConvertToInt()) {
                    throw new IllegalArgumentException("maxEventDepth must be a whole number, e.g. 8");
                }
                limits = limits.withMaxEventDepth(section.get("maxEventDepth").asInt());
            }
            if (section.has("expressionTime")) {
                limits = limits.withExpressionTime(
                        duration(section.get("expressionTime").asText()));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where() + "kernel: " + e.getMessage(), e);
        }
        return limits;
    }

    /**
     * {@code kernel.keyring}: {@code true} keeps the master key in the OS keyring (created there on
     * first start; a locked or missing keyring is then an error), {@code false} never looks there;
     * empty when unset (the keyring is used when it holds the key and {@code master.key} is absent).
     * {@code AIOS_KEYRING} overrides it.
     */
    public Optional<Boolean> keyring() {
        var keyring = section("kernel").path("keyring");
        if (keyring.isMissingNode() || keyring.isNull()) {
            return Optional.empty();
        }
        if (!keyring.isBoolean()) {
            throw new IllegalArgumentException(where() + "kernel.keyring must be true (keep the master key in the OS"
                    + " keyring) or false (never); was " + keyring);
        }
        return Optional.of(keyring.asBoolean());
    }

    /**
     * {@code server.tls}: {@code cert} and {@code key}, PEM files (a relative path is read from the
     * settings file's directory); empty when the section does not set it.
     */
    public Optional<dev.aios.server.Tls> tls() {
        var tls = section("server").path("tls");
        if (tls.isMissingNode() || tls.isNull()) {
            return Optional.empty();
        }
        var cert = tls.path("cert").asText("");
        var key = tls.path("key").asText("");
        var unknown = new java.util.ArrayList<String>();
        tls.fieldNames().forEachRemaining(name -> {
            if (!name.equals("cert") && !name.equals("key")) {
                unknown.add(name);
            }
        });
        if (!tls.isObject() || cert.isBlank() || key.isBlank() || !unknown.isEmpty()) {
            throw new IllegalArgumentException(where() + "server.tls must be {cert: FILE, key: FILE}, PEM files"
                    + " (e.g. fullchain.pem and privkey.pem)" + (unknown.isEmpty() ? "" : "; unknown " + unknown));
        }
        var base = file.map(Path::toAbsolutePath).map(Path::getParent).orElse(Path.of("."));
        var tlsPair = new dev.aios.server.Tls(base.resolve(cert), base.resolve(key));
        for (var path : List.of(tlsPair.certificate(), tlsPair.key())) {
            if (!java.nio.file.Files.isReadable(path)) {
                throw new IllegalArgumentException(where() + "server.tls: cannot read " + path);
            }
        }
        return Optional.of(tlsPair);
    }

    /**
     * {@code server.mcp}: how the sessions of the MCP endpoint are bounded, {@code idle} (how long a
     * session lives unused, default 30m) and {@code sessionsPerToken} (default 10).
     */
    public dev.aios.server.internal.http.McpRoutes.SessionLimits mcpSessions() {
        var defaults = dev.aios.server.internal.http.McpRoutes.SessionLimits.DEFAULTS;
        var mcp = section("server").path("mcp");
        if (mcp.isMissingNode() || mcp.isNull()) {
            return defaults;
        }
        var unknown = new java.util.ArrayList<String>();
        mcp.fieldNames().forEachRemaining(name -> {
            if (!name.equals("idle") && !name.equals("sessionsPerToken")) {
                unknown.add(name);
            }
        });
        var perToken = mcp.path("sessionsPerToken");
        if (!mcp.isObject()
                || !unknown.isEmpty()
                || !(perToken.isMissingNode() || perToken.canConvertToExactIntegral())) {
            throw new IllegalArgumentException(where() + "server.mcp must be {idle: DURATION, sessionsPerToken:"
                    + " NUMBER}, e.g. {idle: 30m, sessionsPerToken: 10}"
                    + (unknown.isEmpty() ? "" : "; unknown " + unknown));
        }
        try {
            return new dev.aios.server.internal.http.McpRoutes.SessionLimits(
                    mcp.has("idle") ? duration(mcp.path("idle").asText()) : defaults.idle(),
                    perToken.isMissingNode() ? defaults.perToken() : perToken.asInt());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where() + e.getMessage(), e);
        }
    }

    /** The host names of {@code server.hosts}: the names aios is reached under besides loopback. */
    public List<String> hosts() {
        var hosts = section("server").path("hosts");
        if (hosts.isMissingNode() || hosts.isNull()) {
            return List.of();
        }
        if (!hosts.isArray()) {
            throw new IllegalArgumentException(
                    where() + "server.hosts must be a list of names, e.g. [aios.example.com]");
        }
        var names = new java.util.ArrayList<String>();
        hosts.forEach(name -> names.add(name.asText()));
        return List.copyOf(names);
    }

    /**
     * The database of {@code store.url}: a {@code jdbc:postgresql:} URL (credentials from {@code
     * AIOS_DB_USER} and {@code AIOS_DB_PASSWORD}, not the file); empty when the section does not set
     * it, which means the SQLite file in the data directory.
     */
    public Optional<String> storeUrl() {
        var store = section("store");
        var unknown = new java.util.ArrayList<String>();
        store.fieldNames().forEachRemaining(name -> {
            if (!name.equals("url")) {
                unknown.add(name);
            }
        });
        if (!store.isObject() || !unknown.isEmpty()) {
            throw new IllegalArgumentException(where() + "store: the only setting is url, e.g. url:"
                    + " jdbc:postgresql://db.example.com/aios" + (unknown.isEmpty() ? "" : "; unknown " + unknown));
        }
        var url = store.path("url");
        if (url.isMissingNode() || url.isNull() || url.asText().isBlank()) {
            return Optional.empty();
        }
        if (!url.asText().startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(where() + "store.url must be a jdbc:postgresql: URL, e.g."
                    + " jdbc:postgresql://db.example.com/aios; leave it out for the SQLite file in the data"
                    + " directory");
        }
        return Optional.of(url.asText());
    }

    /** A duration written as {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601 ({@code PT30S}). */
    public static Duration duration(String text) {
        return dev.aios.api.Durations.parse(text, "duration");
    }
}
