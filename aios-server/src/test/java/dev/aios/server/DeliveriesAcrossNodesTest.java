package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import dev.aios.api.Event;
import dev.aios.connectors.DeliveryStatus;
import dev.aios.connectors.DeliveryView;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes sharing one PostgreSQL database send each outgoing webhook once, not once each. */
class DeliveriesAcrossNodesTest {
    @RegisterExtension
    static final OnePostgres POSTGRES = new OnePostgres();

    @TempDir
    Path dir;

    @Test
    void everyNodeSendsWhatIsDueButEachDeliveryGoesOutOnce() throws Exception {
        // A receiver that takes its time, as a real one does, and counts what it is sent by webhook-id.
        var received = new ConcurrentHashMap<String, AtomicInteger>();
        var receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newFixedThreadPool(8));
        receiver.createContext("/hooks", exchange -> {
            received.computeIfAbsent(exchange.getRequestHeaders().getFirst("webhook-id"), id -> new AtomicInteger())
                    .incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        String url = POSTGRES.newDatabase("deliveries_nodes");
        int events = 40;
        try (var a = open(url, dir.resolve("a"), receiver.getAddress().getPort());
                var b = open(url, dir.resolve("b"), receiver.getAddress().getPort());
                var senders = Executors.newFixedThreadPool(4)) {
            var nodes = new ConnectorsNode[] {a, b};
            for (int i = 0; i < events; i++) {
                nodes[i % 2]
                        .kernel()
                        .send(new Event(
                                "note-" + i,
                                "note.seen",
                                "acme",
                                "test",
                                Instant.now(),
                                JsonNodeFactory.instance.objectNode().put("n", i),
                                "",
                                ""));
            }
            // Both nodes' background loops send, and each node is also asked to send at once, twice
            // over, so that the two look at the same due deliveries at the same moment.
            var sent = new java.util.ArrayList<Future<Integer>>();
            for (int round = 0; round < 2; round++) {
                for (var node : nodes) {
                    sent.add(senders.submit(() -> node.connectors().deliverNow()));
                }
            }
            for (var round : sent) {
                round.get();
            }
            long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (delivered(a).size() < events) {
                assertThat(System.nanoTime()).as("every delivery delivered").isLessThan(until);
                Thread.sleep(50);
            }
            assertThat(delivered(b)).hasSize(events);
            assertThat(delivered(a))
                    .allSatisfy(delivery ->
                            assertThat(delivery.attempts()).as(delivery.id()).isEqualTo(1));
        } finally {
            receiver.stop(0);
        }
        assertThat(received).hasSize(events);
        assertThat(received.entrySet())
                .allSatisfy(delivery -> assertThat(delivery.getValue().get())
                        .as("requests with webhook-id %s", delivery.getKey())
                        .isEqualTo(1));
    }

    private static List<DeliveryView> delivered(ConnectorsNode node) {
        return node.connectors().deliveries(Optional.of(DeliveryStatus.DELIVERED), 1_000);
    }

    private static ConnectorsNode open(String url, Path data, int port) throws IOException {
        var node = ConnectorsNode.open(
                url, data, """
                subscriptions:
                  crm:
                    url: http://127.0.0.1:%d/hooks
                    events: [note.*]
                    secret: CRM_SECRET
                """.formatted(port), Map.of("CRM_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        node.connectors().startDeliveries();
        return node;
    }
}
