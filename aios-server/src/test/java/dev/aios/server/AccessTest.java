package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.Scope;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nobody without a token gets anything but the health check; a token does what its scope allows
 * and no more; and a page of another site, or a name the server does not serve, cannot make it do
 * anything, whatever cookies the browser holds.
 */
class AccessTest {
    @TempDir
    Path dataDirectory;

    TestAios aios;

    @BeforeEach
    void start() {
        aios = TestAios.start(dataDirectory);
    }

    @AfterEach
    void stop() {
        aios.close();
    }

    /** A request to {@code route} with its path parameters filled in and a JSON body when it changes something. */
    private HttpRequest.Builder request(ApiServer.Route route) {
        var path = route.path().replaceAll("\\{[^}]+}", "x");
        var builder = HttpRequest.newBuilder(URI.create(aios.url + path));
        if (route.method().equals("GET")) {
            return builder.GET();
        }
        return builder.header("Content-Type", "application/json")
                .method(route.method(), HttpRequest.BodyPublishers.ofString("{}"));
    }

    /** What a caller could notice changed: runs, tasks, tokens, the audit log. */
    private String state() {
        return aios.get("/api/runs").body()
                + aios.get("/api/tasks?all=true").body()
                + aios.get("/api/tokens").json().findValuesAsText("name")
                + aios.kernel.audit().since(java.time.Instant.EPOCH, 10_000).size();
    }

    @Test
    void everyRouteButTheHealthCheckAnswers401WithoutAValidTokenAndChangesNothing() {
        var runId = aios.ping("before");
        aios.eventually("/api/runs/" + runId, run -> run.path("status").asText().equals("waiting"));
        var expired = aios.kernel
                .tokens()
                .create("short-lived", EnumSet.of(Scope.ADMIN), Optional.of(Duration.ofMillis(1)))
                .secret();
        var revoked = aios.kernel
                .tokens()
                .create("lost", EnumSet.of(Scope.ADMIN), Optional.empty())
                .secret();
        aios.kernel.tokens().revoke("lost");
        var before = state();

        var routes = aios.server.routes();
        assertThat(routes).filteredOn(route -> route.access().equals("closed")).isEmpty();
        assertThat(routes)
                .filteredOn(route -> route.access().equals("open"))
                .extracting(route -> route.method() + " " + route.path())
                .containsExactlyInAnyOrder(
                        "GET /health",
                        "POST /api/session",
                        "DELETE /api/session",
                        "GET /openapi.json",
                        "GET /schemas/{name}");
        for (var route : routes) {
            if (route.access().equals("open")) {
                continue;
            }
            for (var token : new String[] {null, "aios_not-a-token", expired, revoked}) {
                var answer = aios.sendAs(request(route), token);
                assertThat(answer.status())
                        .as("%s %s with %s", route.method(), route.path(), token == null ? "no token" : "a bad token")
                        .isEqualTo(401);
                assertThat(answer.json().path("type").asText()).isEqualTo("/problems/unauthenticated");
            }
        }
        assertThat(aios.get("/health").status()).isEqualTo(200);
        assertThat(aios.sendAs(HttpRequest.newBuilder(URI.create(aios.url + "/health")), null)
                        .status())
                .isEqualTo(200);
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void aTokenMayDoWhatItsScopeAllowsAndAnythingElseIs403() {
        var before = state();
        for (var scope : Scope.values()) {
            var token = aios.kernel
                    .tokens()
                    .create("only-" + scope.wire(), EnumSet.of(scope), Optional.empty())
                    .secret();
            for (var route : aios.server.routes()) {
                if (route.access().equals("open")) {
                    continue;
                }
                var needed = Scope.fromWire(route.access());
                var answer = aios.sendAs(request(route), token);
                if (scope.includes(needed)) {
                    assertThat(answer.status())
                            .as("%s %s with a %s token", route.method(), route.path(), scope)
                            .isNotIn(401, 403);
                } else {
                    assertThat(answer.status())
                            .as("%s %s with a %s token", route.method(), route.path(), scope)
                            .isEqualTo(403);
                    assertThat(answer.json().path("detail").asText())
                            .contains("token 'only-" + scope.wire() + "'")
                            .contains("that needs " + needed.wire());
                }
            }
        }
        assertThat(state()).contains("only-admin");
        assertThat(before).doesNotContain("only-admin");
    }

    @Test
    void theAdminTokenOfAFreshDataDirectoryIsAFileOnlyItsOwnerCanRead() throws IOException {
        var file = dataDirectory.resolve("admin.token");
        assertThat(Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(aios.kernel.tokens().list()).singleElement().satisfies(token -> {
            assertThat(token.name()).isEqualTo("admin");
            assertThat(token.scopes()).containsExactly(Scope.ADMIN);
        });
        assertThat(aios.kernel.adminTokenFile()).contains(file);
    }

    /** One raw HTTP/1.1 request, so that its Host header can be anything. */
    private String raw(String request) throws IOException {
        try (var socket = new Socket("127.0.0.1", aios.server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aForeignHostNameIsRefusedSoThatDnsRebindingReachesNothing() throws IOException {
        var body = "{\"type\":\"test.ping\",\"data\":{\"text\":\"rebound\"}}";
        var answer = raw("POST /api/events HTTP/1.1\r\nHost: attacker.example:" + aios.server.port()
                + "\r\nAuthorization: Bearer " + aios.token + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(answer).startsWith("HTTP/1.1 421").contains("does not serve the host 'attacker.example'");
        var health = raw("GET /health HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
        assertThat(health).startsWith("HTTP/1.1 421");
        var own =
                raw("GET /health HTTP/1.1\r\nHost: localhost:" + aios.server.port() + "\r\nConnection: close\r\n\r\n");
        assertThat(own).startsWith("HTTP/1.1 200");
        assertThat(aios.get("/api/runs").json()).isEmpty();
    }

    @Test
    void changesFromAnotherSiteOrNotSentAsJsonAreRefused() {
        var event = "{\"type\":\"test.ping\",\"data\":{\"text\":\"forged\"}}";
        var crossSite = aios.sendAs(
                HttpRequest.newBuilder(URI.create(aios.url + "/api/events"))
                        .header("Content-Type", "application/json")
                        .header("Origin", "https://evil.example")
                        .POST(HttpRequest.BodyPublishers.ofString(event)),
                aios.token);
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(crossSite.json().path("type").asText()).isEqualTo("/problems/cross-site");

        var plainText = aios.post("/api/events", "text/plain", event);
        assertThat(plainText.status()).isEqualTo(415);
        assertThat(aios.post("/api/events", "application/x-www-form-urlencoded", "type=test.ping")
                        .status())
                .isEqualTo(415);
        assertThat(aios.get("/api/runs").json()).isEmpty();

        var sameSite = aios.sendAs(
                HttpRequest.newBuilder(URI.create(aios.url + "/api/events"))
                        .header("Content-Type", "application/json")
                        .header("Origin", aios.url)
                        .POST(HttpRequest.BodyPublishers.ofString(event)),
                aios.token);
        assertThat(sameSite.status()).isEqualTo(202);
    }

    @Test
    void aBrowserSessionIsAStrictCookieThatStillCannotBeUsedFromAnotherSite() throws Exception {
        var client = java.net.http.HttpClient.newBuilder()
                .cookieHandler(new java.net.CookieManager())
                .build();
        var signIn = client.send(
                HttpRequest.newBuilder(URI.create(aios.url + "/api/session"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + aios.token + "\"}"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.statusCode()).isEqualTo(200);
        var cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).contains("aios_session=").contains("HttpOnly").containsIgnoringCase("SameSite=Strict");

        var read = client.send(
                HttpRequest.newBuilder(URI.create(aios.url + "/api/runs")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).isEqualTo(200);

        var event = "{\"type\":\"test.ping\",\"data\":{\"text\":\"by cookie\"}}";
        var formPost = client.send(
                HttpRequest.newBuilder(URI.create(aios.url + "/api/events"))
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString(event))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(formPost.statusCode()).isEqualTo(415);
        var noType = client.send(
                HttpRequest.newBuilder(URI.create(aios.url + "/api/tasks/x/retry"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(noType.statusCode()).isEqualTo(415);
        var crossSite = client.send(
                HttpRequest.newBuilder(URI.create(aios.url + "/api/events"))
                        .header("Content-Type", "application/json")
                        .header("Origin", "http://evil.example")
                        .POST(HttpRequest.BodyPublishers.ofString(event))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(aios.get("/api/runs").json()).isEmpty();

        aios.kernel.tokens().revoke("admin");
        var afterRevoke = client.send(
                HttpRequest.newBuilder(URI.create(aios.url + "/api/runs")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(afterRevoke.statusCode()).as("a session ends with its token").isEqualTo(401);
    }

    @Test
    void everyOperatorAndAdminActionIsInTheAuditLogWithTheTokensName() {
        var laptop = aios.kernel
                .tokens()
                .create("laptop", EnumSet.of(Scope.OPERATE), Optional.empty())
                .secret();
        var runId = aios.ping("audited");
        var task = aios.openTaskOf(runId);
        var approve = HttpRequest.newBuilder(
                        URI.create(aios.url + "/api/tasks/" + task.path("id").asText() + "/approve"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"comment\":\"fine\"}"));
        assertThat(aios.sendAs(approve, laptop).status()).isEqualTo(200);
        assertThat(aios.post("/api/playbooks/reload", "{}").status()).isEqualTo(200);
        assertThat(aios.post("/api/tokens", "{\"name\":\"ci\",\"scopes\":[\"ingest\"],\"expires\":\"90d\"}")
                        .status())
                .isEqualTo(201);
        assertThat(aios.sendAs(
                                HttpRequest.newBuilder(URI.create(aios.url + "/api/tokens/ci"))
                                        .DELETE(),
                                aios.token)
                        .status())
                .isEqualTo(200);
        var forgotten = aios.post("/api/subjects/acme/forget", "{}");
        assertThat(forgotten.status()).isEqualTo(200);
        String pseudonym = forgotten.json().path("pseudonym").asText();
        assertThat(pseudonym).startsWith("forgotten:");

        var audit = aios.get("/api/audit").json();
        var lines = new ArrayList<String>();
        audit.forEach(entry -> lines.add(entry.path("actor").asText() + " "
                + entry.path("action").asText() + " " + entry.path("target").asText()));
        assertThat(lines)
                .contains(
                        "kernel token.create admin",
                        "local token.create laptop",
                        "laptop task.approve " + task.path("id").asText(),
                        "admin playbooks.reload playbooks",
                        "admin token.create ci",
                        "admin token.revoke ci",
                        "admin subject.forget " + pseudonym);
        assertThat(audit.toString()).doesNotContain("acme");
        assertThat(aios.kernel.audit().verify()).isEmpty();
        assertThat(aios.kernel.verify().problems()).isEmpty();
        var cli = aios.cli("audit", "--since", "1h");
        assertThat(cli.exitCode()).isZero();
        assertThat(cli.out()).contains("laptop", "task.approve", "token.revoke");
    }

    @Test
    void theCommandLineTakesItsTokenFromTheOptionTheEnvironmentOrTheDataDirectory() {
        var viaOption = TestAios.cli(java.util.Map.of(), "runs", "--server", aios.url, "--token", aios.token);
        assertThat(viaOption.exitCode()).isZero();
        var viaDataDirectory =
                TestAios.cli(java.util.Map.of("AIOS_DATA", dataDirectory.toString(), "AIOS_URL", aios.url), "runs");
        assertThat(viaDataDirectory.exitCode()).as(viaDataDirectory.err()).isZero();
        var without = TestAios.cli(
                java.util.Map.of("AIOS_DATA", dataDirectory.resolve("elsewhere").toString(), "AIOS_URL", aios.url),
                "runs");
        assertThat(without.exitCode()).isEqualTo(1);
        assertThat(without.err()).contains("needs a token: pass --token or set AIOS_TOKEN");
    }

    static List<String> names(Set<Scope> scopes) {
        return scopes.stream().map(Scope::wire).toList();
    }
}
