package dev.aios.connectors.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.AgentContext;
import dev.aios.api.Durations;
import dev.aios.api.JsonAgent;
import dev.aios.api.JsonContract;
import dev.aios.api.PermanentFailure;
import dev.aios.api.TryAgainLater;
import dev.aios.connectors.internal.Secrets;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code http} agent: one call to a JSON API as an effect ({@code http/HOST:METHOD}), so each host
 * has its own circuit breaker and rate limit, and a step that runs again gets the recorded response
 * instead of calling twice. The effect's idempotency key goes out as {@code Idempotency-Key}.
 * Headers may take their values from named secrets ({@code secretHeaders}), resolved as the request
 * leaves, so no secret value is ever in a step's input or output.
 *
 * <p>Answers: 2xx is the output (checked against {@code response}, a JSON Schema, when given); 429
 * and 503 with {@code Retry-After} wait that long without using an attempt; other 5xx, 408, 429 and
 * network failures are retried with the step's backoff; other 4xx fail without retrying.
 */
public final class HttpAgent implements JsonAgent {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The longest a server may ask us to wait before the step is retried anyway. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(6);
    /** How much of a response body an error message quotes. */
    private static final int QUOTE = 300;

    private static final JsonContract CONTRACT = new JsonContract(
            "http",
            "1.0.0",
            "Calls a JSON API once: method, URL, headers (also from named secrets), body; answers status, headers and body.",
            schema("""
                    {"type": "object",
                     "properties": {
                       "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]},
                       "url": {"type": "string", "pattern": "^https?://"},
                       "query": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
                       "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                       "secretHeaders": {"type": "object", "additionalProperties": {"type": "string"}},
                       "body": {},
                       "response": {"type": "object"},
                       "timeout": {"type": "string"}},
                     "required": ["url"],
                     "additionalProperties": false}
                    """),
            schema("""
                    {"type": "object",
                     "properties": {
                       "status": {"type": "integer"},
                       "headers": {"type": "object"},
                       "body": {}},
                     "required": ["status", "body"]}
                    """),
            List.of(),
            Set.of("http"),
            Duration.ofMinutes(2));

    /** Response headers worth keeping in the receipt (never cookies or anything that authenticates). */
    private static final List<String> KEPT_HEADERS = List.of("content-type", "location", "etag", "last-modified");

    private final Secrets secrets;
    /** Made on the first call: building an HTTP client starts its selector thread and takes a while. */
    private HttpClient client;

    public HttpAgent(Secrets secrets) {
        this.secrets = secrets;
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
        }
        return client;
    }

    @Override
    public JsonContract contract() {
        return CONTRACT;
    }

    @Override
    public JsonNode run(JsonNode input, AgentContext context) throws Exception {
        var call = HttpCall.read(input);
        var effect = "http/" + call.uri().getHost() + ":" + call.method().toLowerCase(Locale.ROOT);
        return context.effect(effect, JsonNode.class, key -> send(call, key));
    }

    private JsonNode send(HttpCall call, String key) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(call.uri())
                .timeout(call.timeout())
                .header("Accept", "application/json")
                .header("Idempotency-Key", key);
        call.headers().forEach(request::setHeader);
        call.secretHeaders().forEach((name, template) -> request.setHeader(name, resolve(template, name)));
        if (call.body().isPresent()) {
            if (call.headers().keySet().stream().noneMatch(h -> h.equalsIgnoreCase("content-type"))) {
                request.setHeader("Content-Type", "application/json");
            }
            request.method(
                    call.method(),
                    HttpRequest.BodyPublishers.ofString(
                            JSON.writeValueAsString(call.body().get())));
        } else {
            request.method(call.method(), HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = client().send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.net.http.HttpTimeoutException e) {
            throw new IOException(call.describe() + " did not answer within " + Durations.format(call.timeout()), e);
        } catch (IOException e) {
            throw new IOException(call.describe() + " could not be reached: " + e, e);
        }
        return answer(call, response);
    }

    private JsonNode answer(HttpCall call, HttpResponse<String> response) throws IOException {
        int status = response.statusCode();
        var body = response.body() == null ? "" : response.body();
        if (status == 429 || status == 503) {
            var after = RetryAfter.parse(response.headers().firstValue("Retry-After"), response.headers());
            if (after.isPresent()) {
                var wait = after.get().compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : after.get();
                throw new TryAgainLater(
                        call.describe() + " answered " + status + " and asked to wait " + Durations.format(wait), wait);
            }
        }
        if (status >= 500 || status == 408 || status == 429) {
            throw new IOException(call.describe() + " answered " + status + quote(body) + "; retrying");
        }
        if (status >= 400) {
            throw new PermanentFailure(call.describe() + " answered " + status + quote(body)
                    + "; trying again cannot help: fix the request, then retry the step");
        }
        var output = JSON.createObjectNode();
        output.put("status", status);
        var headers = output.putObject("headers");
        for (var name : KEPT_HEADERS) {
            response.headers().firstValue(name).ifPresent(value -> headers.put(name, value));
        }
        var parsed = parse(body, response.headers().firstValue("content-type").orElse(""));
        output.set("body", parsed);
        call.responseSchema().ifPresent(schema -> ResponseSchema.check(schema, parsed, call.describe()));
        return output;
    }

    private String resolve(String template, String header) {
        var out = new StringBuilder();
        var matcher = HttpCall.SECRET_REFERENCE.matcher(template);
        int from = 0;
        boolean any = false;
        while (matcher.find()) {
            any = true;
            out.append(template, from, matcher.start());
            try {
                out.append(secrets.require(matcher.group(1), "the http agent's header " + header));
            } catch (Secrets.MissingSecret e) {
                throw new PermanentFailure(e.getMessage(), e);
            }
            from = matcher.end();
        }
        if (!any) {
            try {
                return secrets.require(template, "the http agent's header " + header);
            } catch (Secrets.MissingSecret e) {
                throw new PermanentFailure(e.getMessage(), e);
            }
        }
        return out.append(template.substring(from)).toString();
    }

    private static JsonNode parse(String body, String contentType) {
        if (body.isBlank()) {
            return JSON.nullNode();
        }
        boolean json = contentType.toLowerCase(Locale.ROOT).contains("json");
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            if (json) {
                throw new PermanentFailure("the response claims to be JSON but is not: " + e.getMessage(), e);
            }
            return JSON.getNodeFactory().textNode(body);
        }
    }

    private static String quote(String body) {
        if (body.isBlank()) {
            return "";
        }
        var oneLine = body.strip().replaceAll("\\s+", " ");
        return ": " + (oneLine.length() > QUOTE ? oneLine.substring(0, QUOTE) + "…" : oneLine);
    }

    private static JsonNode schema(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }
}
