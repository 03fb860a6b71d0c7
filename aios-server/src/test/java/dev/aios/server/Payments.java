package dev.aios.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A payments API for crash tests, idempotent the way Stripe's is: every request carries an {@code
 * Idempotency-Key}; the first request with a key is applied and its answer kept, a repeated key
 * gets the kept answer without anything being applied again, and a key reused for a different
 * request is refused with 409. Every request is recorded, so a test can count what the outside
 * world saw.
 *
 * <p>{@code POST /charges {run, order, amount}}, {@code POST /captures {run, order, charge,
 * amount}} (the charge must exist) and {@code POST /receipts {run, order, capture}} (the capture
 * must exist) each answer {@code {"id": ..., "object": ...}}.
 */
final class Payments implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> OBJECTS =
            Map.of("charges", "charge", "captures", "capture", "receipts", "receipt");

    /**
     * One request as it arrived.
     *
     * @param key its idempotency key
     * @param operation charges, captures or receipts
     * @param run the run it says it comes from
     * @param replayed whether the key had been applied before, so the kept answer was returned
     */
    record Request(String key, String operation, String run, boolean replayed) {}

    /**
     * A request that was applied: the one change the outside world holds for its key.
     *
     * @param key the idempotency key
     * @param operation charges, captures or receipts
     * @param run the run it came from
     * @param request the request's body
     * @param result the answer kept for the key
     */
    record Applied(String key, String operation, String run, JsonNode request, JsonNode result) {}

    private final HttpServer server;
    private final Map<String, Applied> applied = new ConcurrentHashMap<>();
    private final Set<String> objects = ConcurrentHashMap.newKeySet();
    private final Collection<Request> requests = new ConcurrentLinkedQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger conflicts = new AtomicInteger();
    private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

    private Payments(HttpServer server) {
        this.server = server;
    }

    /** Starts the API on a free loopback port. */
    static Payments start() {
        try {
            var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
            var payments = new Payments(server);
            server.createContext("/", payments::handle);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return payments;
        } catch (IOException e) {
            throw new UncheckedIOException("the payments API could not start: " + e, e);
        }
    }

    /** Where the API listens, e.g. {@code http://127.0.0.1:41234}. */
    String url() {
        return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":"
                + server.getAddress().getPort();
    }

    /** Holds every request from now on, before it is applied, until {@link #release()}. */
    void hold() {
        gate = new CompletableFuture<>();
    }

    /** Lets held requests (and new ones) through. */
    void release() {
        gate.complete(null);
    }

    /** How many requests are held right now. */
    int held() {
        return held.get();
    }

    /** Every request so far, in arrival order. */
    List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /** How many requests arrived so far. */
    int requestCount() {
        return requests.size();
    }

    /** Every applied request, by idempotency key. */
    Map<String, Applied> applied() {
        return Map.copyOf(applied);
    }

    /** How many requests of {@code operation} were applied. */
    long appliedCount(String operation) {
        return applied.values().stream()
                .filter(a -> a.operation().equals(operation))
                .count();
    }

    /** How many requests reused a key for a different request (and were refused). */
    int conflicts() {
        return conflicts.get();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            var operation = exchange.getRequestURI().getPath().substring(1);
            var key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            if (!exchange.getRequestMethod().equals("POST") || !OBJECTS.containsKey(operation)) {
                answer(exchange, 404, error("no such endpoint: " + exchange.getRequestURI()));
                return;
            }
            if (key == null || key.isBlank()) {
                answer(exchange, 400, error("the Idempotency-Key header is required"));
                return;
            }
            var body = JSON.readTree(exchange.getRequestBody());
            var run = body.path("run").asText();
            awaitGate();
            var missing = missingReference(operation, body);
            if (missing != null && !applied.containsKey(key)) {
                requests.add(new Request(key, operation, run, false));
                answer(exchange, 404, error(missing));
                return;
            }
            var fresh = new boolean[1];
            var kept = applied.computeIfAbsent(key, k -> {
                fresh[0] = true;
                return apply(k, operation, body);
            });
            requests.add(new Request(key, operation, run, !fresh[0]));
            if (!kept.operation().equals(operation) || !kept.request().equals(body)) {
                conflicts.incrementAndGet();
                answer(exchange, 409, error("key " + key + " was used for a different request"));
                return;
            }
            exchange.getResponseHeaders().add("Idempotent-Replayed", Boolean.toString(!fresh[0]));
            answer(exchange, 200, kept.result());
        }
    }

    private Applied apply(String key, String operation, JsonNode body) {
        var object = OBJECTS.get(operation);
        var id = object.substring(0, 3) + "_" + ids.incrementAndGet();
        objects.add(id);
        ObjectNode result = JSON.createObjectNode().put("id", id).put("object", object);
        return new Applied(key, operation, body.path("run").asText(), body, result);
    }

    /** Why a capture or receipt cannot be applied: it names a charge or capture that does not exist. */
    private String missingReference(String operation, JsonNode body) {
        var reference =
                switch (operation) {
                    case "captures" -> body.path("charge").asText();
                    case "receipts" -> body.path("capture").asText();
                    default -> null;
                };
        return reference == null || objects.contains(reference) ? null : "no such object: " + reference;
    }

    private void awaitGate() {
        var current = gate;
        if (current.isDone()) {
            return;
        }
        held.incrementAndGet();
        try {
            current.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } finally {
            held.decrementAndGet();
        }
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void answer(HttpExchange exchange, int status, JsonNode body) throws IOException {
        var bytes = JSON.writeValueAsBytes(Objects.requireNonNull(body));
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
