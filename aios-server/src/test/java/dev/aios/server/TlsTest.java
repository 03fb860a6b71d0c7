package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.kernel.Kernel;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * aios serves HTTPS from PEM files, and will not listen beyond loopback in plain HTTP unless told
 * that a reverse proxy in front terminates TLS.
 */
class TlsTest {
    @TempDir
    Path dir;

    Kernel kernel;
    Path cert;
    Path key;

    @BeforeEach
    void start() throws Exception {
        kernel = Kernel.builder().dataDirectory(dir.resolve("data")).build();
        kernel.start();
        cert = copy("cert.pem");
        key = copy("key.pem");
    }

    @AfterEach
    void stop() {
        kernel.close();
    }

    private Path copy(String name) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/tls/" + name)) {
            var file = dir.resolve(name);
            Files.copy(in, file);
            return file;
        }
    }

    /** A client that trusts the test certificate and nothing else. */
    private HttpClient trusting(Path certificate) throws Exception {
        var trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (var in = Files.newInputStream(certificate)) {
            trusted.setCertificateEntry(
                    "aios", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        var ssl = SSLContext.getInstance("TLS");
        ssl.init(null, trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).build();
    }

    @Test
    void theApiIsServedOverHttpsWithTheCertificateAndKeyOfPemFiles() throws Exception {
        var token = TestAios.adminToken(dir.resolve("data"));
        try (var server = ApiServer.builder(kernel).tls(new Tls(cert, key)).start()) {
            var https = trusting(cert);
            var base = "https://localhost:" + server.port();
            var health = https.send(
                    HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            var runs = https.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/runs"))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(runs.statusCode()).isEqualTo(200);

            var plain =
                    TestAios.cli(Map.of("AIOS_TOKEN", token), "runs", "--server", "http://localhost:" + server.port());
            assertThat(plain.exitCode()).as("plain HTTP on the TLS port").isEqualTo(1);
        }
    }

    @Test
    void theCommandLineTrustsASelfSignedServerOnlyWhenGivenItsCertificate() throws Exception {
        var token = TestAios.adminToken(dir.resolve("data"));
        try (var server = ApiServer.builder(kernel).tls(new Tls(cert, key)).start()) {
            var url = "https://localhost:" + server.port();

            var untrusted = TestAios.cli(Map.of("AIOS_TOKEN", token), "runs", "--server", url);
            assertThat(untrusted.exitCode()).isEqualTo(1);
            assertThat(untrusted.err()).contains("does not trust").contains("--cacert FILE", "AIOS_CACERT");

            var given = TestAios.cli(Map.of("AIOS_TOKEN", token), "runs", "--server", url, "--cacert", cert.toString());
            assertThat(given.exitCode()).as(given.err()).isZero();
            assertThat(given.out()).contains("no runs");

            var fromEnvironment =
                    TestAios.cli(Map.of("AIOS_TOKEN", token, "AIOS_CACERT", cert.toString()), "runs", "--server", url);
            assertThat(fromEnvironment.exitCode()).as(fromEnvironment.err()).isZero();

            var notACertificate =
                    TestAios.cli(Map.of("AIOS_TOKEN", token), "runs", "--server", url, "--cacert", key.toString());
            assertThat(notACertificate.exitCode()).isEqualTo(2);
            assertThat(notACertificate.err()).contains("--cacert").contains("PEM file of certificates");
        }
    }

    @Test
    void aKeyInAnotherFormatOrNotOfTheCertificateIsRefusedWithWhatToDo() throws Exception {
        var traditional = copy("rsa-traditional.pem");
        assertThatThrownBy(() -> ApiServer.builder(kernel)
                        .tls(new Tls(cert, traditional))
                        .start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PKCS#8")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        assertThatThrownBy(
                        () -> ApiServer.builder(kernel).tls(new Tls(key, key)).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the TLS certificate " + key);
    }

    @Test
    void plainHttpBeyondLoopbackIsRefusedUnlessAProxyInFrontTerminatesTls() {
        assertThatThrownBy(() -> ApiServer.builder(kernel).host("0.0.0.0").start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("will not listen on 0.0.0.0 in plain HTTP")
                .hasMessageContaining("--insecure-behind-proxy");
        try (var server = ApiServer.builder(kernel)
                .host("0.0.0.0")
                .insecureBehindProxy(true)
                .start()) {
            assertThat(server.port()).isPositive();
        }

        var refused = TestAios.cli(
                Map.of(), "up", "--data", dir.resolve("other").toString(), "--host", "0.0.0.0", "--port", "0");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("will not listen on 0.0.0.0 in plain HTTP", "--insecure-behind-proxy");
        assertThat(dir.resolve("other")).doesNotExist();
    }
}
