package dev.aios.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model provider for tests: a real HTTP server on the loopback interface that speaks the OpenAI
 * chat-completions wire format ({@code POST /v1/chat/completions}) and the Anthropic messages wire
 * format ({@code POST /v1/messages}), non-streaming, and answers from a script. Point a real client
 * at {@link #openAiBaseUrl()} or {@link #anthropicBaseUrl()}.
 *
 * <p>Each request takes the next scripted {@link Reply}, whichever endpoint it arrives at, and is
 * recorded. A request with nothing left in the script is answered 500 with "no scripted reply left",
 * so that an unexpected call fails loudly.
 *
 * <pre>{@code
 * try (var provider = ScriptedModelServer.start()) {
 *     provider.enqueue(Reply.rateLimited(1), Reply.json("{\"score\": 80}"));
 *     // ... run the code under test against provider.openAiBaseUrl() ...
 *     assertThat(provider.requests()).hasSize(2);
 * }
 * }</pre>
 */
public final class ScriptedModelServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    private ScriptedModelServer(HttpServer server) {
        this.server = server;
    }

    /** Starts a server on a free loopback port. */
    public static ScriptedModelServer start() {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the scripted model server", e);
        }
        var scripted = new ScriptedModelServer(server);
        server.createContext("/", scripted::handle);
        server.setExecutor(scripted.executor);
        server.start();
        return scripted;
    }

    /** The base URL an OpenAI-compatible client is given, e.g. {@code http://127.0.0.1:PORT/v1}. */
    public String openAiBaseUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort() + "/v1";
    }

    /** The base URL an Anthropic client is given (the same server). */
    public String anthropicBaseUrl() {
        return openAiBaseUrl();
    }

    /** Appends replies to the script. */
    public synchronized ScriptedModelServer enqueue(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** Every request received so far, oldest first. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** How many scripted replies are not used yet. */
    public synchronized int remaining() {
        return script.size();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private synchronized Reply next() {
        var reply = script.pollFirst();
        return reply != null ? reply : new Reply.Status(500, Map.of(), "no scripted reply left");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            var headers = new java.util.TreeMap<String, String>();
            exchange.getRequestHeaders()
                    .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
            String text = new String(body, StandardCharsets.UTF_8);
            JsonNode json;
            try {
                json = text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
            } catch (IOException e) {
                json = JSON.createObjectNode().put("unparsable", text);
            }
            String path = exchange.getRequestURI().getPath();
            requests.add(new Request(exchange.getRequestMethod(), path, Map.copyOf(headers), json));
            Wire wire = path.endsWith("/messages") ? Wire.ANTHROPIC : Wire.OPENAI;
            if (!path.endsWith("/messages") && !path.endsWith("/chat/completions")) {
                send(exchange, 404, Map.of(), error(wire, "not_found", "no such endpoint: " + path));
                return;
            }
            answer(exchange, wire, json.path("model").asText("scripted-model"), next());
        }
    }

    private void answer(HttpExchange exchange, Wire wire, String model, Reply reply) throws IOException {
        switch (reply) {
            case Reply.Completion completion -> send(exchange, 200, Map.of(), completion(wire, model, completion));
            case Reply.Status status ->
                send(exchange, status.status(), status.headers(), error(wire, kind(status.status()), status.message()));
            case Reply.Malformed malformed -> send(exchange, 200, Map.of(), malformed.body());
            case Reply.Hang hang -> {
                try {
                    Thread.sleep(hang.duration().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private String completion(Wire wire, String model, Reply.Completion reply) {
        int id = ids.incrementAndGet();
        ObjectNode root = JSON.createObjectNode();
        switch (wire) {
            case OPENAI -> {
                root.put("id", "chatcmpl-" + id).put("object", "chat.completion");
                root.put("created", 1_700_000_000L).put("model", model);
                ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
                ObjectNode message = choice.putObject("message").put("role", "assistant");
                if (reply.toolCalls().isEmpty()) {
                    message.put("content", reply.text());
                } else {
                    message.putNull("content");
                    ArrayNode calls = message.putArray("tool_calls");
                    int n = 0;
                    for (var call : reply.toolCalls()) {
                        ObjectNode entry = calls.addObject()
                                .put("id", "call_" + id + "_" + ++n)
                                .put("type", "function");
                        entry.putObject("function").put("name", call.name()).put("arguments", call.arguments());
                    }
                }
                choice.put("finish_reason", reply.toolCalls().isEmpty() ? "stop" : "tool_calls");
                root.putObject("usage")
                        .put("prompt_tokens", reply.inputTokens())
                        .put("completion_tokens", reply.outputTokens())
                        .put("total_tokens", reply.inputTokens() + reply.outputTokens());
            }
            case ANTHROPIC -> {
                root.put("id", "msg_" + id).put("type", "message").put("role", "assistant");
                root.put("model", model);
                ArrayNode content = root.putArray("content");
                if (!reply.text().isEmpty() || reply.toolCalls().isEmpty()) {
                    content.addObject().put("type", "text").put("text", reply.text());
                }
                int n = 0;
                for (var call : reply.toolCalls()) {
                    content.addObject()
                            .put("type", "tool_use")
                            .put("id", "toolu_" + id + "_" + ++n)
                            .put("name", call.name())
                            .set("input", parse(call.arguments()));
                }
                root.put("stop_reason", reply.toolCalls().isEmpty() ? "end_turn" : "tool_use");
                root.putNull("stop_sequence");
                root.putObject("usage")
                        .put("input_tokens", reply.inputTokens())
                        .put("output_tokens", reply.outputTokens());
            }
        }
        return root.toString();
    }

    private static String error(Wire wire, String type, String message) {
        ObjectNode root = JSON.createObjectNode();
        switch (wire) {
            case OPENAI -> root.putObject("error").put("message", message).put("type", type);
            case ANTHROPIC -> {
                root.put("type", "error");
                root.putObject("error").put("type", type).put("message", message);
            }
        }
        return root.toString();
    }

    private static String kind(int status) {
        return switch (status) {
            case 429 -> "rate_limit_error";
            case 401, 403 -> "authentication_error";
            case 400, 422 -> "invalid_request_error";
            default -> status >= 500 ? "api_error" : "error";
        };
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("tool call arguments must be JSON: " + json, e);
        }
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private enum Wire {
        OPENAI,
        ANTHROPIC
    }

    /**
     * A request the server received.
     *
     * @param method the HTTP method
     * @param path the request path, e.g. {@code /v1/chat/completions}
     * @param headers the headers, names in lower case
     * @param body the JSON body ({@code {"unparsable": text}} when it was not JSON)
     */
    public record Request(String method, String path, Map<String, String> headers, JsonNode body) {
        /** Whether it came in on the Anthropic messages endpoint. */
        public boolean anthropic() {
            return path.endsWith("/messages");
        }
    }

    /** One scripted answer. */
    public sealed interface Reply {

        /** A successful completion: text, or tool calls, with token usage. */
        record Completion(String text, List<ToolCall> toolCalls, int inputTokens, int outputTokens) implements Reply {
            public Completion {
                Objects.requireNonNull(text, "text");
                toolCalls = List.copyOf(toolCalls);
            }
        }

        /** An error status with the provider's error body, e.g. 429 with Retry-After, or 500. */
        record Status(int status, Map<String, String> headers, String message) implements Reply {
            public Status {
                headers = Map.copyOf(headers);
            }
        }

        /** A 200 whose body is not the JSON the wire format promises. */
        record Malformed(String body) implements Reply {}

        /** No answer for {@code duration}: the client should time out first. */
        record Hang(Duration duration) implements Reply {}

        /**
         * A tool call the model asks for.
         *
         * @param name the tool's name
         * @param arguments its arguments, as JSON text
         */
        record ToolCall(String name, String arguments) {}

        /** A text answer with 10 tokens in and 5 out. */
        static Reply text(String text) {
            return new Completion(text, List.of(), 10, 5);
        }

        /** A JSON answer (as the model writes it, in the text) with the given usage. */
        static Reply json(String json, int inputTokens, int outputTokens) {
            parse(json);
            return new Completion(json, List.of(), inputTokens, outputTokens);
        }

        /** A JSON answer with 100 tokens in and 50 out. */
        static Reply json(String json) {
            return json(json, 100, 50);
        }

        /** A request for one tool call, with 100 tokens in and 20 out. */
        static Reply toolCall(String name, String arguments) {
            parse(arguments);
            return new Completion("", List.of(new ToolCall(name, arguments)), 100, 20);
        }

        /** 429 Too Many Requests with {@code Retry-After: seconds}. */
        static Reply rateLimited(int retryAfterSeconds) {
            return new Status(
                    429, Map.of("Retry-After", Integer.toString(retryAfterSeconds)), "Rate limit reached; slow down");
        }

        /** 500 with the provider's message. */
        static Reply serverError(String message) {
            return new Status(500, Map.of(), message);
        }

        /** A 200 with a body cut off in the middle of the JSON. */
        static Reply malformed() {
            return new Malformed("{\"id\": \"chatcmpl-x\", \"choices\": [{\"message\": {\"content\": \"half");
        }

        /** No answer for a long minute. */
        static Reply hang() {
            return new Hang(Duration.ofSeconds(70));
        }
    }
}
