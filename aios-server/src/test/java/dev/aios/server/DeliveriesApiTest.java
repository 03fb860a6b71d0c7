package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Event;
import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.connectors.DeliveryStatus;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.Scope;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.cli.AiosCommand;
import dev.aios.server.internal.http.ConnectorRoutes;
import dev.aios.testing.Poll;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failed outgoing webhooks over the API and the command line: listed with their last error, dropped
 * or sent again by an operator, only looked at by a reader.
 */
class DeliveriesApiTest {
    @TempDir
    Path dir;

    Kernel kernel;
    ConnectorsExtension connectors;
    ApiServer server;
    String url;
    final HttpClient http = HttpClient.newHttpClient();

    record Answer(int status, JsonNode json) {}

    @BeforeEach
    void start() throws Exception {
        int closed;
        try (var socket = new ServerSocket(0)) {
            closed = socket.getLocalPort(); // nothing listens there once the socket is closed
        }
        var settings = ConnectorSettings.read(Json.mapper().readTree("""
                        {"subscriptions": {"crm": {"url": "http://127.0.0.1:%d/hooks", "events": ["lead.*"],
                                                   "secret": "CRM_SECRET", "attempts": 1}}}
                        """.formatted(closed))::get);
        connectors = new ConnectorsExtension(
                settings,
                name -> Optional.ofNullable(
                        Map.of("CRM_SECRET", "whsec_c2VjcmV0").get(name)));
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(connectors)
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        server = ApiServer.builder(kernel)
                .host("127.0.0.1")
                .routes(new ConnectorRoutes(connectors))
                .start();
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        kernel.close();
    }

    String failedDelivery(String eventId) {
        kernel.send(new Event(
                eventId,
                "lead.received",
                "acme",
                "test",
                Instant.now(),
                JsonNodeFactory.instance.objectNode(),
                "",
                ""));
        return Poll.until(
                        "a failed delivery of " + eventId,
                        () -> {
                            connectors.deliverNow();
                            return connectors.deliveries(Optional.of(DeliveryStatus.FAILED), 10);
                        },
                        list -> !list.isEmpty(),
                        Duration.ofSeconds(30))
                .getFirst()
                .id();
    }

    Answer send(String token, String method, String path) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url + path))
                .header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), Json.mapper().readTree(response.body()));
    }

    String cli(String... args) {
        var out = new StringWriter();
        var command = AiosCommand.commandLine(
                Map.of("AIOS_URL", url, "AIOS_TOKEN", TestAios.adminToken(dir.resolve("data"))));
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(out));
        command.execute(args);
        return out.toString();
    }

    @Test
    void aReaderSeesAFailedDeliveryWithItsErrorButOnlyAnOperatorMayDropOrRetryIt() throws Exception {
        var id = failedDelivery("lead-1");
        var reader = kernel.tokens()
                .create("dashboard", EnumSet.of(Scope.READ), Optional.empty())
                .secret();
        var operator = kernel.tokens()
                .create("operator", EnumSet.of(Scope.OPERATE), Optional.empty())
                .secret();

        var listed = send(reader, "GET", "/api/deliveries?status=failed");
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json()).singleElement().satisfies(delivery -> {
            assertThat(delivery.path("id").asText()).isEqualTo(id);
            assertThat(delivery.path("status").asText()).isEqualTo("failed");
            assertThat(delivery.path("lastError").asText()).contains("could not be reached");
        });
        assertThat(send(reader, "POST", "/api/deliveries/" + id + "/drop").status())
                .isEqualTo(403);
        assertThat(send(reader, "POST", "/api/deliveries/" + id + "/retry").status())
                .isEqualTo(403);
        assertThat(send(reader, "GET", "/api/deliveries?status=lost").status()).isEqualTo(400);

        assertThat(send(operator, "POST", "/api/deliveries/" + id + "/drop").status())
                .isEqualTo(200);
        assertThat(send(reader, "GET", "/api/deliveries?status=dropped").json())
                .extracting(delivery -> delivery.path("id").asText())
                .containsExactly(id);
        var again = send(operator, "POST", "/api/deliveries/" + id + "/retry");
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json().path("detail").asText()).contains("no failed delivery");
    }

    @Test
    void theCommandLineListsDropsAndRetriesFailedDeliveries() {
        var dropped = failedDelivery("lead-2");
        assertThat(cli("deliveries", "--failed")).contains(dropped, "crm", "lead.received", "could not be reached");
        assertThat(cli("deliveries", "--drop", dropped)).contains("delivery " + dropped + " is dropped");
        assertThat(cli("deliveries", "--failed")).doesNotContain(dropped);

        var retried = failedDelivery("lead-3");
        assertThat(cli("deliveries", "--retry", retried)).contains("delivery " + retried + " is sent again");
        assertThat(connectors.deliveries(Optional.empty(), 10))
                .filteredOn(delivery -> delivery.id().equals(retried))
                .singleElement()
                .satisfies(delivery -> assertThat(delivery.status()).isEqualTo(DeliveryStatus.PENDING));
        assertThat(cli("deliveries", "--drop", "dlv_nope")).contains("no failed delivery 'dlv_nope'");
    }
}
