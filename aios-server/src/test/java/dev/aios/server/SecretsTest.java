package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.Scope;
import dev.aios.server.internal.http.ConnectorRoutes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named secrets over the API: a value goes in, is encrypted at rest under the master key, never
 * comes out, and only an admin token may touch them; every change is in the audit log by name.
 */
class SecretsTest {
    static final String VALUE = "sk_live_only-the-connector-sees-this";

    @TempDir
    Path dir;

    Kernel kernel;
    ApiServer server;
    String token;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        var connectors = new ConnectorsExtension(
                ConnectorSettings.none(),
                name -> Optional.ofNullable(Map.of("FROM_ENV", "x").get(name)));
        kernel = Kernel.builder().dataDirectory(dir).extension(connectors).build();
        kernel.start();
        server = ApiServer.builder(kernel)
                .host("127.0.0.1")
                .routes(new ConnectorRoutes(connectors))
                .start();
        token = TestAios.adminToken(dir);
    }

    @AfterEach
    void stop() {
        server.close();
        if (kernel != null) {
            kernel.close();
        }
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return sendAs(token, method, path, body);
    }

    HttpResponse<String> sendAs(String bearer, String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + bearer)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSetSecretIsListedWithoutItsValueAndIsNotInTheDatabaseFilesInTheClear() throws Exception {
        assertThat(send("PUT", "/api/secrets/PAYMENTS_TOKEN", "{\"value\": \"" + VALUE + "\"}")
                        .statusCode())
                .isEqualTo(204);

        var list = send("GET", "/api/secrets", null);
        assertThat(list.body()).contains("PAYMENTS_TOKEN", "stored").doesNotContain(VALUE);
        server.close();
        kernel.close();
        kernel = null;
        try (Stream<Path> files = Files.walk(dir)) {
            for (var file : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                        .as(file.toString())
                        .doesNotContain(VALUE);
            }
        }
    }

    @Test
    void aBadNameOrAnEmptyValueIsRefusedAndAnUnknownSecretCannotBeDeleted() throws Exception {
        var badName = send("PUT", "/api/secrets/no-dashes", "{\"value\": \"v\"}");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(badName.body()).contains("letters, digits and underscores");
        assertThat(send("PUT", "/api/secrets/EMPTY", "{\"value\": \"\"}").statusCode())
                .isEqualTo(400);
        assertThat(send("DELETE", "/api/secrets/NEVER_SET", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aDeletedSecretIsGone() throws Exception {
        send("PUT", "/api/secrets/TOKEN", "{\"value\": \"v1\"}");
        assertThat(send("DELETE", "/api/secrets/TOKEN", null).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/api/secrets", null).body()).doesNotContain("TOKEN");
    }

    @Test
    void onlyAnAdminTokenMayListSetOrDeleteSecrets() throws Exception {
        send("PUT", "/api/secrets/PAYMENTS_TOKEN", "{\"value\": \"" + VALUE + "\"}");
        var operator = kernel.tokens()
                .create("operator", EnumSet.of(Scope.OPERATE), Optional.empty())
                .secret();

        assertThat(sendAs(operator, "GET", "/api/secrets", null).statusCode()).isEqualTo(403);
        assertThat(sendAs(operator, "PUT", "/api/secrets/PAYMENTS_TOKEN", "{\"value\": \"stolen\"}")
                        .statusCode())
                .isEqualTo(403);
        assertThat(sendAs(operator, "DELETE", "/api/secrets/PAYMENTS_TOKEN", null)
                        .statusCode())
                .isEqualTo(403);
        assertThat(sendAs("not-a-token", "GET", "/api/secrets", null).statusCode())
                .isEqualTo(401);
        assertThat(kernel.secrets().get("connector.PAYMENTS_TOKEN")).contains(VALUE);
    }

    @Test
    void settingAndDeletingASecretIsInTheAuditLogByNameWithWhoDidIt() throws Exception {
        send("PUT", "/api/secrets/PAYMENTS_TOKEN", "{\"value\": \"" + VALUE + "\"}");
        send("DELETE", "/api/secrets/PAYMENTS_TOKEN", null);

        var entries = kernel.audit().since(Instant.EPOCH, 100).stream()
                .filter(entry -> entry.action().startsWith("secret."))
                .toList();
        assertThat(entries)
                .extracting(entry -> entry.action() + " " + entry.target())
                .containsExactly("secret.put connector.PAYMENTS_TOKEN", "secret.delete connector.PAYMENTS_TOKEN");
        assertThat(entries).allSatisfy(entry -> assertThat(entry.actor()).isEqualTo("admin"));
        assertThat(entries.toString()).doesNotContain(VALUE);
        assertThat(kernel.audit().verify()).isEmpty();
    }
}
