package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.api.AgentStep;
import dev.aios.api.Playbook;
import dev.aios.api.Step;
import dev.aios.api.Trigger;
import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.connectors.internal.webhook.Hmac;
import dev.aios.connectors.internal.webhook.SignatureScheme;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunQuery;
import dev.aios.server.internal.http.WebhookRoutes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Webhooks in over real HTTP: each signature scheme, redeliveries, refusals, and synchronous answers. */
class WebhooksTest {
    static final String SETTINGS = """
            sources:
              stripe:
                scheme: stripe
                secret: STRIPE_SECRET
                type: "'stripe.' + body.type"
                subject: body.data.object.customer
                id: body.id
              github:
                scheme: github
                secret: GITHUB_SECRET
                type: "'github.' + headers['x-github-event']"
                subject: body.repository.name
              billing:
                scheme: standard-webhooks
                secret: BILLING_SECRET
                type: "'invoice.paid'"
                subject: body.customer
              form:
                scheme: hmac-sha256
                header: X-Form-Signature
                secret: FORM_SECRET
                type: "'lead.received'"
                subject: body.email
                maxBytes: 2000
              ask:
                scheme: hmac-sha256
                secret: FORM_SECRET
                type: "'question.asked'"
                respond: sync
                playbook: answer-question
              nosecret:
                scheme: github
                secret: NOT_SET
                type: "'x.y'"
            """;
    static final String BILLING_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final Map<String, String> ENVIRONMENT = Map.of(
            "STRIPE_SECRET", "whsec_stripe_test",
            "GITHUB_SECRET", "gh-secret",
            "BILLING_SECRET", BILLING_SECRET,
            "FORM_SECRET", "form-secret");

    @TempDir
    Path dir;

    Kernel kernel;
    ApiServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        var yaml = new YAMLMapper().readTree(SETTINGS);
        var connectors = new ConnectorsExtension(
                ConnectorSettings.read(yaml::get), name -> Optional.ofNullable(ENVIRONMENT.get(name)));
        kernel = Kernel.builder()
                .dataDirectory(dir)
                .agent(new EchoPlaybook.Echo())
                .playbook(triggeredBy("stripe.invoice.paid"))
                .playbook(triggeredBy("github.push"))
                .playbook(triggeredBy("invoice.paid"))
                .playbook(triggeredBy("lead.received"))
                .playbook(Playbook.builder("answer-question")
                        .trigger(Trigger.on("question.asked"))
                        .step(AgentStep.of("answer", "echo")
                                .withInput("text", "'You asked: ' + event.data.question")
                                .withNext(Step.END))
                        .build())
                .extension(connectors)
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        server = ApiServer.start(kernel, "127.0.0.1", 0, new WebhookRoutes(kernel, connectors));
    }

    @AfterEach
    void stop() {
        server.close();
        kernel.close();
    }

    private static Playbook triggeredBy(String type) {
        return Playbook.builder("on-" + type.replace('.', '-'))
                .trigger(Trigger.on(type))
                .step(AgentStep.of("say", "echo")
                        .withInput("text", "run.subject")
                        .withNext(Step.END))
                .build();
    }

    @Test
    void aStripeDeliveryBecomesAnEventAndItsRedeliveryStartsNothingNew() {
        var body = "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"data\":{\"object\":{\"customer\":\"cus_acme\"}}}";
        var first = post("/hooks/stripe", "application/json", body, Map.of("Stripe-Signature", stripe(body, now())));

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.body()).contains("\"eventId\":\"stripe:evt_1\"", "\"duplicate\":false");
        var runs = kernel.runs(RunQuery.all());
        assertThat(runs).singleElement().satisfies(run -> {
            assertThat(run.playbook()).isEqualTo("on-stripe-invoice-paid");
            assertThat(run.subject()).isEqualTo("cus_acme");
        });

        var again = post("/hooks/stripe", "application/json", body, Map.of("Stripe-Signature", stripe(body, now())));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("\"duplicate\":true");
        assertThat(kernel.runs(RunQuery.all())).hasSize(1);
    }

    @Test
    void aBadOrStaleSignatureIsRefusedAndRecordsNothing() {
        var body = "{\"id\":\"evt_2\",\"type\":\"invoice.paid\",\"data\":{\"object\":{\"customer\":\"cus_b\"}}}";
        var forged = post(
                "/hooks/stripe",
                "application/json",
                body,
                Map.of("Stripe-Signature", "t=" + now() + ",v1=" + "0".repeat(64)));
        var stale =
                post("/hooks/stripe", "application/json", body, Map.of("Stripe-Signature", stripe(body, now() - 600)));
        var unsigned = post("/hooks/stripe", "application/json", body, Map.of());

        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).contains("does not match");
        assertThat(stale.statusCode()).isEqualTo(401);
        assertThat(stale.body()).contains("stale");
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(kernel.runs(RunQuery.all())).isEmpty();
        // The refused deliveries did not use up the event id: the genuine one still starts its run.
        var genuine = post("/hooks/stripe", "application/json", body, Map.of("Stripe-Signature", stripe(body, now())));
        assertThat(genuine.statusCode()).isEqualTo(202);
        assertThat(kernel.runs(RunQuery.all())).hasSize(1);
    }

    @Test
    void aGitHubDeliveryIsIdentifiedByItsDeliveryHeader() {
        var body = "{\"repository\":{\"name\":\"site\"},\"ref\":\"refs/heads/main\"}";
        var signature = "sha256=" + HexFormat.of().formatHex(Hmac.sha256(bytes("gh-secret"), bytes(body)));
        var headers = Map.of("X-Hub-Signature-256", signature, "X-GitHub-Event", "push", "X-GitHub-Delivery", "d-42");

        var answer = post("/hooks/github", "application/json", body, headers);

        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(answer.body()).contains("\"eventId\":\"github:d-42\"");
        assertThat(kernel.runs(RunQuery.all())).singleElement().satisfies(run -> {
            assertThat(run.playbook()).isEqualTo("on-github-push");
            assertThat(run.subject()).isEqualTo("site");
        });
    }

    @Test
    void aStandardWebhooksDeliveryIsIdentifiedByItsWebhookId() {
        var body = "{\"customer\":\"acme\",\"amount\":1200}";
        var timestamp = String.valueOf(now());
        var signature = "v1,"
                + Base64.getEncoder()
                        .encodeToString(
                                SignatureScheme.StandardWebhooks.sign(BILLING_SECRET, "msg_1", timestamp, bytes(body)));
        var headers = Map.of("webhook-id", "msg_1", "webhook-timestamp", timestamp, "webhook-signature", signature);

        assertThat(post("/hooks/billing", "application/json", body, headers).statusCode())
                .isEqualTo(202);
        assertThat(post("/hooks/billing", "application/json", body, headers).statusCode())
                .isEqualTo(200);
        assertThat(kernel.runs(RunQuery.all())).singleElement().satisfies(run -> assertThat(run.subject())
                .isEqualTo("acme"));
    }

    @Test
    void aFormPostSignedWithPlainHmacBecomesALead() {
        var body = "email=ada%40acme.test&name=Ada+Lovelace&need=logo&need=site";
        var answer = post(
                "/hooks/form", "application/x-www-form-urlencoded", body, Map.of("X-Form-Signature", hmacHex(body)));

        assertThat(answer.statusCode()).isEqualTo(202);
        var runId = kernel.runs(RunQuery.all()).getFirst().id();
        var trigger = kernel.run(runId).trigger();
        assertThat(trigger.path("subject").asText()).isEqualTo("ada@acme.test");
        assertThat(trigger.path("data").path("name").asText()).isEqualTo("Ada Lovelace");
        assertThat(trigger.path("data").path("need")).hasSize(2);
    }

    @Test
    void badInputIsAClearErrorAndRecordsNothing() {
        var unknown = post("/hooks/nobody", "application/json", "{}", Map.of());
        var large = "{\"pad\":\"" + "x".repeat(3000) + "\"}";
        var oversized = post("/hooks/form", "application/json", large, Map.of("X-Form-Signature", hmacHex(large)));
        var broken = "{\"email\": ";
        var malformed = post("/hooks/form", "application/json", broken, Map.of("X-Form-Signature", hmacHex(broken)));
        var xml = "<lead/>";
        var unsupported = post("/hooks/form", "application/xml", xml, Map.of("X-Form-Signature", hmacHex(xml)));
        var noSecret = post("/hooks/nosecret", "application/json", "{}", Map.of());

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no webhook source 'nobody'", "stripe");
        assertThat(oversized.statusCode()).isEqualTo(413);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("not valid JSON");
        assertThat(unsupported.statusCode()).isEqualTo(415);
        assertThat(noSecret.statusCode()).isEqualTo(503);
        assertThat(noSecret.body()).doesNotContain("NOT_SET");
        assertThat(kernel.runs(RunQuery.all())).isEmpty();
    }

    @Test
    void aMappingThatYieldsNoEventTypeIsRefusedWithTheReason() {
        var body = "{\"id\":\"evt_3\",\"type\":\"Not A Type\",\"data\":{\"object\":{\"customer\":\"c\"}}}";
        var answer = post("/hooks/stripe", "application/json", body, Map.of("Stripe-Signature", stripe(body, now())));

        assertThat(answer.statusCode()).isEqualTo(422);
        assertThat(answer.body()).contains("not an event type");
        assertThat(kernel.runs(RunQuery.all())).isEmpty();
    }

    @Test
    void aSynchronousSourceAnswersWithTheRunsOutputAndTheSameRunWhenRedelivered() {
        var body = "{\"question\":\"when?\"}";
        var headers = Map.of("X-Signature", hmacHex(body));

        var answer = post("/hooks/ask", "application/json", body, headers);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"status\":\"completed\"", "\"output\":{\"text\":\"You asked: when?\"}");

        var again = post("/hooks/ask", "application/json", body, headers);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("You asked: when?");
        assertThat(kernel.runs(RunQuery.all())).hasSize(1);
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    private static String stripe(String body, long timestamp) {
        var signed = Hmac.sha256(bytes("whsec_stripe_test"), bytes(timestamp + "." + body));
        return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(signed);
    }

    private static String hmacHex(String body) {
        return HexFormat.of().formatHex(Hmac.sha256(bytes("form-secret"), bytes(body)));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> post(String path, String contentType, String body, Map<String, String> headers) {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
