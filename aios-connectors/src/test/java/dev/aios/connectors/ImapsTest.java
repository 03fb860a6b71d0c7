package dev.aios.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.icegreen.greenmail.util.DummySSLServerSocketFactory;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.aios.connectors.internal.mail.ImapIntake;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Email in over IMAP on TLS (IMAPS, port 993's protocol) against GreenMail with its self-signed test
 * certificate: nothing is read until the operator trusts that certificate explicitly, and then mail
 * arrives as it does in the clear.
 */
class ImapsTest {
    /** A self-signed certificate of another server (other.test). */
    static final String OTHER_CERTIFICATE = """
            -----BEGIN CERTIFICATE-----
            MIIBfzCCAQagAwIBAgIIFIa5tPqjI2UwCgYIKoZIzj0EAwMwFTETMBEGA1UEAxMK
            b3RoZXIudGVzdDAgFw0yNjEyMDIwOTAxMjJaGA8yMTI2MTEwODA5MDEyMlowFTET
            MBEGA1UEAxMKb3RoZXIudGVzdDB2MBAGByqGSM49AgEGBSuBBAAiA2IABIqrQfRE
            9bV42em+PpwGqmLQ7410cPiZ9ln/viHmFuo+1f+97pYxyBAz3fhhHUeP6ja0BPxH
            KGyDHdUc7NexSVt7TfR6Nzn6SeHIWxUou+JSDjW4+FkKT4Jr4sC5+HC+1qMhMB8w
            HQYDVR0OBBYEFKHoqCyE7D4Vckm5/egMNfzyJ9H9MAoGCCqGSM49BAMDA2cAMGQC
            MDM34i7oKZPhb3p7c7z+8dipM/WroZhiBR50gdFtlD7YIX/2UTHV7HTaDAvV78Lr
            NAIwZwHwqHVdhoNVVmsK4qJWekeVAqZdG3GxnOuLNqREBGQgjKtkCF8Ynjph/Lpp
            ZkAy
            -----END CERTIFICATE-----
            """;

    @TempDir
    Path dir;

    GreenMail mail;
    Kernel kernel;
    ConnectorsExtension connectors;

    @BeforeEach
    void startMailServer() throws Exception {
        EmailInTest.SEEN.clear();
        var imaps = ServerSetup.IMAPS.dynamicPort();
        imaps.setServerStartupTimeout(30_000); // a loaded machine starts the TLS listener slowly
        mail = new GreenMail(new ServerSetup[] {ServerSetup.SMTP.dynamicPort(), imaps});
        mail.start();
        mail.setUser("studio@studio.test", "studio", "s3cret");
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/p.yaml"), EmailInTest.PLAYBOOKS);
    }

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
        mail.stop();
    }

    /** Starts aios reading the IMAPS port with these lines added to {@code email.imap}. */
    void startAios(String trust) throws Exception {
        var settings = ConnectorSettings.read(
                new YAMLMapper().readTree("""
                email:
                  imap:
                    host: 127.0.0.1
                    port: %d
                    security: tls
                    username: studio
                    password: IMAP_PASSWORD
                    timeout: 20s
                %s
                """.formatted(mail.getImaps().getPort(), trust.indent(4)))::get);
        connectors = new ConnectorsExtension(
                settings,
                name -> Optional.ofNullable(Map.of("IMAP_PASSWORD", "s3cret").get(name)));
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .agent(new EmailInTest.NoteMail())
                .extension(connectors)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10))
                .build();
        kernel.start();
    }

    /** The certificate GreenMail shows, written as the operator would save it: a PEM file in {@code dir}. */
    static Path greenMailCertificate(Path dir) throws Exception {
        var store = ((DummySSLServerSocketFactory) DummySSLServerSocketFactory.getDefault()).getKeyStore();
        Certificate certificate = store.getCertificate(store.aliases().nextElement());
        var pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        return Files.writeString(dir.resolve("mail-server.pem"), pem);
    }

    void send(String subject) {
        GreenMailUtil.sendTextEmail(
                "studio@studio.test",
                "ada@acme.test",
                subject,
                "hello",
                mail.getSmtp().getServerSetup());
    }

    @Test
    void aSelfSignedServerIsNotTrustedUntilTheOperatorSaysSo() throws Exception {
        startAios("");
        send("before trust");

        assertThatThrownBy(() -> connectors.pollMail())
                .isInstanceOf(ImapIntake.MailUnavailable.class)
                .hasMessageContaining("certificate is not trusted")
                .hasMessageContaining("email.imap.certificate")
                .hasMessageContaining("no mail was read");
        assertThat(EmailInTest.SEEN).isEmpty();
    }

    @Test
    void withTheServersCertificateTrustedMailArrivesOverTls() throws Exception {
        startAios("certificate: " + greenMailCertificate(dir));
        assertThat(connectors.pollMail())
                .as("the first look marks where new mail begins")
                .isEmpty();

        send("A quote, please");
        var accepted = connectors.pollMail();

        assertThat(accepted).hasSize(1);
        assertThat(Eventually.await(
                        () -> EmailInTest.SEEN.stream()
                                .map(EmailInTest.NoteMail.Mail::subject)
                                .toList(),
                        seen -> !seen.isEmpty()))
                .containsExactly("A quote, please");
    }

    @Test
    void anotherCertificateThanTheTrustedOneIsRefused() throws Exception {
        // A certificate of some other server: that is not the one this server shows.
        var other = Files.writeString(dir.resolve("other.pem"), OTHER_CERTIFICATE);
        startAios("certificate: " + other);

        assertThatThrownBy(() -> connectors.pollMail())
                .isInstanceOf(ImapIntake.MailUnavailable.class)
                .hasMessageContaining("is not the one trusted in " + other);
        assertThat(EmailInTest.SEEN).isEmpty();
    }

    @Test
    void aHostTrustedByNameIsReachedOverTlsToo() throws Exception {
        startAios("trust: 127.0.0.1");
        connectors.pollMail();
        send("trusted by name");
        assertThat(connectors.pollMail()).hasSize(1);
    }
}
