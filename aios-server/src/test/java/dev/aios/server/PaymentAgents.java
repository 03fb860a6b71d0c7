package dev.aios.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Agents that pay through the {@link Payments} API, each inside {@link AgentContext#effect} with the
 * effect's idempotency key: charge, then capture the charge, then send a receipt for the capture.
 * A server process finds them through {@code META-INF/services/dev.aios.api.Agent} of the server's
 * test classes, and the API's address in the environment variable {@value #URL_VARIABLE}; they are
 * used only by playbooks of the tests that start a server with that variable.
 */
public final class PaymentAgents {
    /** The environment variable holding the payments API's address. */
    public static final String URL_VARIABLE = "AIOS_TEST_PAYMENTS_URL";

    /**
     * The playbook of the tests: on {@code order.placed} about an order, charge {@code
     * event.data.amount}, capture the charge, send the receipt.
     */
    public static final String CHECKOUT = """
            name: checkout
            description: Charges an order, captures the charge and sends the receipt.
            trigger: order.placed
            defaults:
              retry: { attempts: 20, backoff: 100ms, multiplier: 2, maxBackoff: 1s, jitter: 0.2 }
            steps:
              - id: charge
                agent: payments-charge
                input: { order: run.subject, amount: event.data.amount }
              - id: capture
                agent: payments-capture
                input: { order: run.subject, charge: steps.charge.charge, amount: steps.charge.amount }
              - id: receipt
                agent: payments-receipt
                input: { order: run.subject, capture: steps.capture.capture }
            """;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private PaymentAgents() {}

    /** What the payments API answers: an object's id and kind. */
    public record Payment(String id, String object) {}

    public record ChargeRequest(String order, int amount) {}

    public record Charged(String charge, int amount) {}

    public record CaptureRequest(String order, String charge, int amount) {}

    public record Captured(String capture) {}

    public record ReceiptRequest(String order, String capture) {}

    public record Receipted(String receipt) {}

    /** Charges the order's amount. */
    public static final class Charge implements Agent<ChargeRequest, Charged> {
        @Override
        public Contract<ChargeRequest, Charged> contract() {
            return Contract.of("payments-charge", "1.0.0", ChargeRequest.class, Charged.class)
                    .withDescription("Charges an order through the test payments API")
                    .withEffects("payments")
                    .withTimeout(Duration.ofSeconds(10));
        }

        @Override
        public Charged run(ChargeRequest input, AgentContext context) throws Exception {
            var charge = context.effect(
                    "payments:charge",
                    Payment.class,
                    key -> post(
                            "charges",
                            key,
                            Map.of("run", context.runId(), "order", input.order(), "amount", input.amount())));
            return new Charged(charge.id(), input.amount());
        }
    }

    /** Captures a charge. */
    public static final class Capture implements Agent<CaptureRequest, Captured> {
        @Override
        public Contract<CaptureRequest, Captured> contract() {
            return Contract.of("payments-capture", "1.0.0", CaptureRequest.class, Captured.class)
                    .withDescription("Captures a charge through the test payments API")
                    .withEffects("payments")
                    .withTimeout(Duration.ofSeconds(10));
        }

        @Override
        public Captured run(CaptureRequest input, AgentContext context) throws Exception {
            var capture = context.effect(
                    "payments:capture",
                    Payment.class,
                    key -> post(
                            "captures",
                            key,
                            Map.of(
                                    "run",
                                    context.runId(),
                                    "order",
                                    input.order(),
                                    "charge",
                                    input.charge(),
                                    "amount",
                                    input.amount())));
            return new Captured(capture.id());
        }
    }

    /** Sends the receipt for a capture. */
    public static final class Receipt implements Agent<ReceiptRequest, Receipted> {
        @Override
        public Contract<ReceiptRequest, Receipted> contract() {
            return Contract.of("payments-receipt", "1.0.0", ReceiptRequest.class, Receipted.class)
                    .withDescription("Sends the receipt of a capture through the test payments API")
                    .withEffects("payments")
                    .withTimeout(Duration.ofSeconds(10));
        }

        @Override
        public Receipted run(ReceiptRequest input, AgentContext context) throws Exception {
            var receipt = context.effect(
                    "payments:receipt",
                    Payment.class,
                    key -> post(
                            "receipts",
                            key,
                            Map.of("run", context.runId(), "order", input.order(), "capture", input.capture())));
            return new Receipted(receipt.id());
        }
    }

    /** A message to the tally keeper: number {@code n}, to be charged. */
    public record Number(int n) {}

    /** The tally keeper's state: the numbers it handled, in the order it handled them. */
    public record Tally(java.util.List<Integer> seen) {}

    /** What the tally keeper is given for each message. */
    public record TallyInput(Number message, java.util.Optional<Tally> state) {}

    /**
     * A stateful agent: for each number sent to a subject's instance it charges the number through
     * the payments API (order {@code SUBJECT/n}), then adds it to the numbers it has seen.
     */
    public static final class TallyKeeper implements Agent<TallyInput, Tally>, dev.aios.api.Stateful {
        @Override
        public Contract<TallyInput, Tally> contract() {
            return Contract.of("tally-keeper", "1.0.0", TallyInput.class, Tally.class)
                    .withDescription("Charges each number sent to it and keeps the numbers seen per subject")
                    .withEffects("payments")
                    .withTimeout(Duration.ofSeconds(10));
        }

        @Override
        public Tally run(TallyInput input, AgentContext context) throws Exception {
            int n = input.message().n();
            context.effect(
                    "payments:charge",
                    Payment.class,
                    key -> post(
                            "charges",
                            key,
                            Map.of("run", context.runId(), "order", context.subject() + "/" + n, "amount", n)));
            var seen = new java.util.ArrayList<>(input.state().map(Tally::seen).orElse(java.util.List.of()));
            seen.add(n);
            return new Tally(seen);
        }
    }

    private static Payment post(String operation, String key, Map<String, Object> body)
            throws IOException, InterruptedException {
        var url = System.getenv(URL_VARIABLE);
        if (url == null || url.isBlank()) {
            throw new IllegalStateException(
                    "the payments agents need " + URL_VARIABLE + " set to the test payments API's address");
        }
        var request = HttpRequest.newBuilder(URI.create(url + "/" + operation))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
        var response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(
                    "POST " + request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readValue(response.body(), Payment.class);
    }
}
