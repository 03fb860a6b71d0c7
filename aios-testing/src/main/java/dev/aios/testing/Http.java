package dev.aios.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A small JSON client for tests: GET and POST against one base URL, answers with their status and
 * parsed body, and failures that show what the server said.
 */
public final class Http {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final Pattern NEXT = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"?next\"?");

    private final URI baseUrl;
    private final HttpClient client;
    private final Optional<String> token;

    private Http(URI baseUrl, HttpClient client, Optional<String> token) {
        this.baseUrl = baseUrl;
        this.client = client;
        this.token = token;
    }

    /** A client for the server at {@code baseUrl}, e.g. {@code http://127.0.0.1:7070}. */
    public static Http to(String baseUrl) {
        var trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        var client = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        return new Http(URI.create(trimmed), client, Optional.empty());
    }

    /** This client sending {@code Authorization: Bearer <token>} with every request. */
    public Http withToken(String token) {
        return new Http(baseUrl, client, Optional.of(token));
    }

    /** This client sending no token, e.g. to see that a route refuses anonymous callers. */
    public Http withoutToken() {
        return new Http(baseUrl, client, Optional.empty());
    }

    /** The server this client talks to. */
    public URI baseUrl() {
        return baseUrl;
    }

    /** {@code GET path}, e.g. {@code /api/runs/r-1}. */
    public Response get(String path) {
        return send("GET", path, HttpRequest.newBuilder(uri(path)).GET());
    }

    /**
     * Every item of a paged list, e.g. {@code /api/runs?limit=500}: {@code GET path}, then each next
     * page its {@code Link: <…>; rel="next"} header names, until one names none.
     */
    public List<JsonNode> getAll(String path) {
        var items = new ArrayList<JsonNode>();
        Optional<String> page = Optional.of(path);
        while (page.isPresent()) {
            var response = get(page.get()).expect(200);
            response.json().forEach(items::add);
            page = response.next();
        }
        return items;
    }

    /** {@code POST path} with a JSON body given as text. */
    public Response post(String path, String json) {
        return send(
                "POST",
                path,
                HttpRequest.newBuilder(uri(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** {@code POST path} with {@code json} as the body. */
    public Response post(String path, JsonNode json) {
        return post(path, json.toString());
    }

    /** {@code POST path} without a body. */
    public Response post(String path) {
        return send("POST", path, HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** Parses {@code text} as JSON, e.g. to build a request body; fails the test when it is not. */
    public static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not valid JSON: " + text, e);
        }
    }

    private URI uri(String path) {
        return URI.create(baseUrl + (path.startsWith("/") ? path : "/" + path));
    }

    /** {@code DELETE path}. */
    public Response delete(String path) {
        return send("DELETE", path, HttpRequest.newBuilder(uri(path)).DELETE());
    }

    private Response send(String method, String path, HttpRequest.Builder request) {
        token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
        try {
            var response = client.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            var next = response.headers()
                    .firstValue("Link")
                    .map(NEXT::matcher)
                    .filter(java.util.regex.Matcher::find)
                    .map(m -> URI.create(m.group(1)))
                    .map(link -> link.getRawPath() + (link.getRawQuery() == null ? "" : "?" + link.getRawQuery()));
            return new Response(
                    method + " " + path, response.statusCode(), response.body(), parse(response.body()), next);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri(path) + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + uri(path) + " was interrupted", e);
        }
    }

    /**
     * An answer.
     *
     * @param request what was asked, e.g. {@code GET /api/runs/r-1}
     * @param status the HTTP status
     * @param body the body as sent
     * @param json the body parsed; a missing node when the body is empty or not JSON
     * @param next the path and query of the next page, when a {@code Link} header names one
     */
    public record Response(String request, int status, String body, JsonNode json, Optional<String> next) {

        /**
         * This answer, if its status is one of {@code expected}.
         *
         * @throws AssertionError naming the request, the status and the body otherwise
         */
        public Response expect(int... expected) {
            if (Arrays.stream(expected).noneMatch(code -> code == status)) {
                throw new AssertionError(request + " answered " + status + ", expected "
                        + (expected.length == 1 ? expected[0] : Arrays.toString(expected)) + "; body: " + body);
            }
            return this;
        }

        @Override
        public String toString() {
            return request + " -> " + status + " " + body;
        }
    }

    private static JsonNode parse(String body) {
        if (body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }
}
