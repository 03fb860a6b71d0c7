package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.Admin;
import dev.aios.kernel.Kernel;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aios token} and {@code aios audit}, through a running server and on a stopped data directory. */
class TokenCommandTest {
    @TempDir
    Path dir;

    @Test
    void tokensAreCreatedListedAndRevokedOnAStoppedDataDirectory() {
        var data = dir.resolve("data");
        Kernel.builder().dataDirectory(data).build().close();

        var created = TestAios.cli(
                Map.of(),
                "token",
                "create",
                "--data",
                data.toString(),
                "--scope",
                "operate",
                "--name",
                "laptop",
                "--expires",
                "90d");
        assertThat(created.exitCode()).as(created.err()).isZero();
        var secret = created.out().strip();
        assertThat(secret).startsWith("aios_").hasSizeGreaterThan(40);
        assertThat(created.err())
                .contains("token 'laptop' (operate) created, expires")
                .contains("shown only this once");

        var listed = TestAios.cli(Map.of(), "token", "list", "--data", data.toString());
        assertThat(listed.out())
                .contains("admin", "laptop", "operate", "active")
                .doesNotContain(secret);

        var revoked = TestAios.cli(Map.of(), "token", "revoke", "laptop", "--data", data.toString());
        assertThat(revoked.out()).contains("revoked token 'laptop'");
        assertThat(TestAios.cli(Map.of(), "token", "list", "--data", data.toString())
                        .out())
                .containsPattern("laptop\\s+operate\\s+revoked");

        assertThat(Admin.audit(data, Instant.EPOCH, 100))
                .extracting(entry -> entry.actor() + " " + entry.action() + " " + entry.target())
                .containsExactly("kernel token.create admin", "local token.create laptop", "local token.revoke laptop");
        assertThat(Admin.verify(data).problems()).isEmpty();
        var duplicate = TestAios.cli(
                Map.of(), "token", "create", "--data", data.toString(), "--scope", "read", "--name", "admin");
        assertThat(duplicate.exitCode()).isEqualTo(1);
        assertThat(duplicate.err()).contains("a token named 'admin' exists already");
    }

    @Test
    void aTokenCreatedThroughTheServerWorksAtOnceWithinItsScope() {
        try (var aios = TestAios.start(dir.resolve("data"))) {
            var created = aios.cli("token", "create", "--scope", "read", "--name", "viewer");
            assertThat(created.exitCode()).as(created.err()).isZero();
            var viewer = created.out().strip();

            var runs = aios.sendAs(HttpRequest.newBuilder(URI.create(aios.url + "/api/runs")), viewer);
            assertThat(runs.status()).isEqualTo(200);
            var send = aios.sendAs(
                    HttpRequest.newBuilder(URI.create(aios.url + "/api/events"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"test.ping\",\"data\":{}}")),
                    viewer);
            assertThat(send.status()).isEqualTo(403);

            assertThat(aios.cli("token", "list").out()).contains("viewer", "read", "admin");
            assertThat(aios.cli("token", "revoke", "viewer").exitCode()).isZero();
            assertThat(aios.sendAs(HttpRequest.newBuilder(URI.create(aios.url + "/api/runs")), viewer)
                            .status())
                    .isEqualTo(401);
            var audit = aios.cli("audit");
            assertThat(audit.out()).contains("token.create", "viewer", "token.revoke");
        }
    }
}
