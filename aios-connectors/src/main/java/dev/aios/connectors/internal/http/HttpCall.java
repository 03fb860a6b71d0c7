package dev.aios.connectors.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Durations;
import dev.aios.api.PermanentFailure;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One call the {@code http} agent makes, read from its input.
 *
 * @param method the method, GET unless given
 * @param uri the URL with the query added
 * @param headers plain headers
 * @param secretHeaders headers whose values name secrets: {@code "Bearer ${API_TOKEN}"}, or just the name
 * @param body the JSON body, if any
 * @param responseSchema a JSON Schema the response body must match
 * @param timeout how long to wait for the answer
 */
record HttpCall(
        String method,
        URI uri,
        Map<String, String> headers,
        Map<String, String> secretHeaders,
        Optional<JsonNode> body,
        Optional<JsonNode> responseSchema,
        Duration timeout) {

    /** {@code ${NAME}} in a secret header. */
    static final Pattern SECRET_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    /** Headers a call may not set: the client or the kernel sets them. */
    private static final java.util.Set<String> RESERVED =
            java.util.Set.of("host", "content-length", "connection", "upgrade", "expect");

    static HttpCall read(JsonNode input) {
        var method = input.path("method").asText("GET").toUpperCase(Locale.ROOT);
        var url = new StringBuilder(input.path("url").asText());
        var query = input.path("query");
        if (query.isObject() && !query.isEmpty()) {
            url.append(url.indexOf("?") < 0 ? '?' : '&');
            var first = true;
            for (var field : query.properties()) {
                if (!first) {
                    url.append('&');
                }
                first = false;
                url.append(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8))
                        .append('=')
                        .append(URLEncoder.encode(field.getValue().asText(), StandardCharsets.UTF_8));
            }
        }
        URI uri;
        try {
            uri = URI.create(url.toString());
        } catch (IllegalArgumentException e) {
            throw new PermanentFailure("url '" + url + "' is not a URL: " + e.getMessage(), e);
        }
        if (uri.getHost() == null) {
            throw new PermanentFailure("url '" + url + "' names no host");
        }
        var headers = strings(input.path("headers"));
        var secretHeaders = strings(input.path("secretHeaders"));
        for (var name : concat(headers, secretHeaders)) {
            if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                throw new PermanentFailure("header '" + name + "' is set by the HTTP client; remove it from the input");
            }
        }
        var body = input.has("body") && !input.get("body").isNull()
                ? Optional.of(input.get("body"))
                : Optional.<JsonNode>empty();
        if (body.isPresent() && (method.equals("GET") || method.equals("HEAD"))) {
            throw new PermanentFailure(method + " requests carry no body; use query for parameters, or POST");
        }
        var timeout = input.hasNonNull("timeout")
                ? Durations.parse(input.get("timeout").asText(), "timeout")
                : Duration.ofSeconds(30);
        return new HttpCall(
                method, uri, headers, secretHeaders, body, Optional.ofNullable(input.get("response")), timeout);
    }

    /** The call for messages: method and URL without its query (which may carry tokens). */
    String describe() {
        var shown =
                uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
        return method + " " + shown;
    }

    private static Map<String, String> strings(JsonNode node) {
        var out = new TreeMap<String, String>(String.CASE_INSENSITIVE_ORDER);
        if (node.isObject()) {
            node.properties()
                    .forEach(field -> out.put(field.getKey(), field.getValue().asText()));
        }
        return out;
    }

    private static java.util.List<String> concat(Map<String, String> a, Map<String, String> b) {
        var all = new java.util.ArrayList<>(a.keySet());
        all.addAll(b.keySet());
        return all;
    }
}
