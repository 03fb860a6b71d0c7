package dev.aios.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.connectors.LocalHttpServer.Response;
import dev.aios.connectors.internal.webhook.SignatureScheme;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.TaskView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outgoing webhooks to a real local HTTP server: signed, retried, failed for good into the
 * operator's inbox, sent again or dropped from there.
 */
class OutgoingWebhooksTest {
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @TempDir
    Path dir;

    Kernel kernel;
    ConnectorsExtension connectors;
    LocalHttpServer server;

    /** Says hello. */
    public static final class Greet implements Agent<Greet.Lead, Greet.Hello> {
        public record Lead(String name) {}

        public record Hello(String text) {}

        @Override
        public Contract<Lead, Hello> contract() {
            return Contract.of("greet", "1.0.0", Lead.class, Hello.class);
        }

        @Override
        public Hello run(Lead input, AgentContext context) {
            return new Hello("Hello, " + input.name());
        }
    }

    void start(String attempts, Response... responses) throws Exception {
        start(attempts, "[lead.*, run.completed]", responses);
    }

    void start(String attempts, String events, Response... responses) throws Exception {
        if (server == null) {
            server = new LocalHttpServer(responses);
        }
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/greet.yaml"), """
                name: greet-lead
                trigger: { event: lead.received }
                steps:
                  - id: greet
                    agent: greet
                    input: { name: event.data.name }
                """);
        Files.writeString(dir.resolve("playbooks/failed.yaml"), """
                name: tell-operator
                trigger: { event: delivery.failed }
                steps:
                  - id: greet
                    agent: greet
                    input: { name: event.data.subscription }
                """);
        var settings = ConnectorSettings.read(
                new YAMLMapper().readTree("""
                subscriptions:
                  crm:
                    url: %s
                    events: %s
                    secret: CRM_SECRET
                    attempts: %s
                    backoff: 1ms
                """.formatted(server.url("/hooks/aios"), events, attempts))::get);
        connectors = new ConnectorsExtension(
                settings,
                name -> Optional.ofNullable(Map.of("CRM_SECRET", SECRET).get(name)));
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .agent(new Greet())
                .extension(connectors)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10))
                .build();
        kernel.start();
    }

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
        if (server != null) {
            server.close();
        }
    }

    String lead(String id) {
        var data = JsonNodeFactory.instance.objectNode().put("name", "Ada");
        var runId = kernel.send(new Event(id, "lead.received", "acme", "test", Instant.now(), data, "", ""))
                .started()
                .getFirst();
        Eventually.await(() -> kernel.run(runId), run -> run.status().isFinal());
        return runId;
    }

    List<LocalHttpServer.Request> delivered(int atLeast) {
        return Eventually.await(
                () -> {
                    connectors.deliverNow();
                    return List.copyOf(server.requests);
                },
                requests -> requests.size() >= atLeast);
    }

    static Map<String, String> headers(LocalHttpServer.Request request) {
        var headers = new HashMap<String, String>();
        request.headers()
                .forEach((name, values) -> headers.put(name.toLowerCase(java.util.Locale.ROOT), values.getFirst()));
        return headers;
    }

    @Test
    void aSubscribedEventAndARunsCompletionAreDeliveredSignedWithStandardWebhooks() throws Exception {
        start("8", Response.json(200, "{}"));
        var runId = lead("lead-1");

        var requests = delivered(2);

        var types = requests.stream()
                .map(r -> readTree(r.body()).path("type").asText())
                .toList();
        assertThat(types).containsExactlyInAnyOrder("lead.received", "run.completed");
        for (var request : requests) {
            var verified = new SignatureScheme.StandardWebhooks(Duration.ofMinutes(5))
                    .verify(headers(request), request.body().getBytes(StandardCharsets.UTF_8), SECRET, Instant.now());
            assertThat(verified).contains(request.header("webhook-id"));
        }
        var completed = requests.stream()
                .map(r -> readTree(r.body()))
                .filter(b -> b.path("type").asText().equals("run.completed"))
                .findFirst()
                .orElseThrow();
        assertThat(completed.path("data").path("runId").asText()).isEqualTo(runId);
        assertThat(connectors.deliveries(Optional.of(DeliveryStatus.DELIVERED), 10))
                .hasSize(2);
        Thread.sleep(100);
        connectors.deliverNow();
        assertThat(server.requests).as("nothing is delivered twice").hasSize(2);
    }

    @Test
    void anEndpointThatKeepsFailingIsRetriedThenFailedReportedAndCanBeRetriedByHand() throws Exception {
        var down = Response.json(500, "{\"error\": \"down\"}");
        start("3", "[lead.*]", down, down, down, Response.json(200, "{}"));
        lead("lead-2");

        var failed = Eventually.await(
                () -> {
                    connectors.deliverNow();
                    return connectors.deliveries(Optional.of(DeliveryStatus.FAILED), 10);
                },
                list -> list.size() == 1);
        var delivery = failed.getFirst();
        assertThat(delivery.attempts()).isEqualTo(3);
        assertThat(delivery.lastError().orElseThrow()).contains("answered 500", "down");
        assertThat(server.requests).hasSize(3);
        assertThat(server.requests.stream().map(r -> r.header("webhook-id")).distinct())
                .as("each attempt is the same delivery")
                .containsExactly(delivery.id());
        Eventually.await(() -> kernel.runs(RunQuery.all().withPlaybook("tell-operator")), runs -> runs.size() == 1);

        connectors.retryDelivery(delivery.id());
        var delivered = Eventually.await(
                () -> {
                    connectors.deliverNow();
                    return connectors.deliveries(Optional.of(DeliveryStatus.DELIVERED), 10);
                },
                list -> !list.isEmpty());
        assertThat(delivered).singleElement().satisfies(d -> assertThat(d.id()).isEqualTo(delivery.id()));
        assertThat(server.requests).hasSize(4);
    }

    @Test
    void whatHappensWhileNothingIsDeliveredIsDeliveredAfterARestart() throws Exception {
        start("8", Response.json(200, "{}"));
        lead("lead-3");
        kernel.close();
        kernel = null;
        assertThat(server.requests).isEmpty();

        start("8", Response.json(200, "{}"));
        assertThat(delivered(2)).hasSize(2);
    }

    /** Delivers until the one delivery has no attempts left; returns it. */
    DeliveryView failedForGood() {
        return Eventually.await(
                        () -> {
                            connectors.deliverNow();
                            return connectors.deliveries(Optional.of(DeliveryStatus.FAILED), 10);
                        },
                        list -> list.size() == 1)
                .getFirst();
    }

    /** The open inbox items about failed deliveries. */
    List<TaskView> inbox(int count) {
        return Eventually.await(
                () -> kernel.tasks(false).stream()
                        .filter(task -> kernel.run(task.runId()).playbook().equals("failed-delivery"))
                        .toList(),
                tasks -> tasks.size() == count);
    }

    @Test
    void aDeliveryWithNoAttemptsLeftIsInTheOperatorsInboxAndApprovingItSendsItAgain() throws Exception {
        var down = Response.json(503, "{\"error\": \"maintenance\"}");
        start("2", "[lead.*]", down, down, Response.json(200, "{}"));
        lead("lead-4");
        var delivery = failedForGood();

        var task = inbox(1).getFirst();
        assertThat(task.kind()).isEqualTo(dev.aios.kernel.TaskKind.APPROVAL);
        assertThat(task.title()).contains("could not be delivered", "send it again", "drop it");
        var shown = task.details().path("show");
        assertThat(shown.path("subscription").asText()).isEqualTo("crm");
        assertThat(shown.path("url").asText()).isEqualTo(server.url("/hooks/aios"));
        assertThat(shown.path("carrying").asText()).isEqualTo("lead.received");
        assertThat(shown.path("attempts").asInt()).isEqualTo(2);
        assertThat(shown.path("error").asText()).contains("answered 503", "maintenance");
        assertThat(shown.path("delivery").asText()).isEqualTo(delivery.id());

        kernel.approve(task.id(), Optional.empty(), "the CRM is back");
        var run =
                Eventually.await(() -> kernel.run(task.runId()), r -> r.status().isFinal());
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.context().path("resend").path("changed").asBoolean()).isTrue();
        var delivered = Eventually.await(
                () -> {
                    connectors.deliverNow();
                    return connectors.deliveries(Optional.of(DeliveryStatus.DELIVERED), 10);
                },
                list -> !list.isEmpty());
        assertThat(delivered).singleElement().satisfies(d -> assertThat(d.id()).isEqualTo(delivery.id()));
        assertThat(server.requests).hasSize(3);
        assertThat(kernel.tasks(false)).isEmpty();
    }

    @Test
    void aDeliverySentAgainThatFailsAgainComesBackAndRejectingItDropsItForGood() throws Exception {
        var down = Response.json(500, "{\"error\": \"down\"}");
        start("2", "[lead.*]", down, down, down, down, Response.json(200, "{}"));
        lead("lead-5");
        var delivery = failedForGood();
        kernel.approve(inbox(1).getFirst().id(), Optional.empty(), "");

        var again = Eventually.await(
                () -> {
                    connectors.deliverNow();
                    return connectors.deliveries(Optional.of(DeliveryStatus.FAILED), 10);
                },
                list -> list.size() == 1 && list.getFirst().rounds() == 2);
        assertThat(again.getFirst().id()).isEqualTo(delivery.id());
        assertThat(server.requests).hasSize(4);
        var second = inbox(1).getFirst();
        kernel.reject(second.id(), "they moved off that CRM");

        var run = Eventually.await(
                () -> kernel.run(second.runId()), r -> r.status().isFinal());
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(connectors.deliveries(Optional.of(DeliveryStatus.DROPPED), 10))
                .singleElement()
                .satisfies(d -> assertThat(d.id()).isEqualTo(delivery.id()));
        connectors.deliverNow();
        assertThat(server.requests).as("a dropped delivery is never sent").hasSize(4);
        assertThatThrownBy(() -> connectors.retryDelivery(delivery.id()))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("no failed delivery");
        assertThat(kernel.runs(RunQuery.all().withPlaybook("failed-delivery"))).hasSize(2);
    }

    @Test
    void aDeliverysBodyIsSealedAndForgettingItsSubjectLeavesNoByteOfItInTheDataDirectory() throws Exception {
        var down = Response.json(503, "{\"error\": \"maintenance\"}");
        start("4", Response.json(200, "{}"), down);
        String address = "ada.lovelace@acme.test";
        var data = JsonNodeFactory.instance.objectNode().put("name", "Augusta Byron");
        var runId = kernel.send(new Event("lead-7", "lead.received", address, "test", Instant.now(), data, "", ""))
                .started()
                .getFirst();
        Eventually.await(() -> kernel.run(runId), run -> run.status().isFinal());
        var failed = failedForGood();
        assertThat(server.requests.getFirst().body()).contains("Augusta Byron", address);
        assertThat(connectors.deliveries(Optional.of(DeliveryStatus.DELIVERED), 10))
                .hasSize(1);
        try (var db = java.sql.DriverManager.getConnection(
                        "jdbc:sqlite:" + dir.resolve("data/aios.db") + "?open_mode=1");
                var rows = db.createStatement().executeQuery("SELECT body, sealed FROM connector_deliveries")) {
            while (rows.next()) {
                assertThat(rows.getString("body") + new String(rows.getBytes("sealed"), StandardCharsets.ISO_8859_1))
                        .as("a copied database shows no delivery's body")
                        .doesNotContain("Augusta", "lovelace");
            }
        }

        assertThat(inbox(1).getFirst().details().path("show").path("error").asText())
                .contains("maintenance");

        kernel.forget(address);

        assertThat(kernel.tasks(false))
                .as("the inbox item of the failed delivery went with the subject")
                .isEmpty();
        assertThat(connectors.deliveries(Optional.empty(), 10))
                .as("the deliveries are still counted; the one not sent is dropped")
                .extracting(DeliveryView::id, DeliveryView::status)
                .contains(org.assertj.core.groups.Tuple.tuple(failed.id(), DeliveryStatus.DROPPED));
        assertThat(connectors
                        .deliveries(Optional.of(DeliveryStatus.DROPPED), 10)
                        .getFirst()
                        .lastError())
                .hasValueSatisfying(error -> assertThat(error).contains("forgotten"));
        assertThatThrownBy(() -> connectors.retryDelivery(failed.id())).isInstanceOf(NotFoundException.class);
        assertThat(kernel.verify().problems()).isEmpty();
        kernel.close();
        kernel = null;
        try (var files = Files.walk(dir.resolve("data"))) {
            for (var file : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(bytes)
                        .as(file + " holds the forgotten subject's data")
                        .doesNotContain("lovelace", "Augusta");
            }
        }
    }

    static JsonNode readTree(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
