package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attachments of received email become memory documents about the sender: a text attachment
 * with its text, a PDF as a named document that says why its content is not kept, a text too large
 * as one that says it was skipped; forgetting the sender forgets them.
 */
class EmailAttachmentsTest {
    static final String SENDER = "ada@acme.test";

    @TempDir
    Path dir;

    GreenMail mail;
    MemoryExtension memory;
    ConnectorsExtension connectors;
    Kernel kernel;

    @BeforeEach
    void start() throws Exception {
        mail = new GreenMail(ServerSetup.IMAP.dynamicPort());
        mail.start();
        mail.setUser("studio@studio.test", "studio", "s3cret");
        var settings = ConnectorSettings.read(
                new YAMLMapper().readTree("""
                email:
                  imap:
                    host: 127.0.0.1
                    port: %d
                    security: none
                    username: studio
                    password: IMAP_PASSWORD
                """.formatted(mail.getImap().getPort()))::get);
        memory = MemoryExtension.of(MemorySettings.defaults());
        connectors = new ConnectorsExtension(
                        settings,
                        name -> Optional.ofNullable(
                                Map.of("IMAP_PASSWORD", "s3cret").get(name)))
                .rememberAttachmentsIn(memory::memory);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(memory)
                .extension(connectors)
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        connectors.pollMail(); // the first look marks where new mail begins
    }

    @AfterEach
    void stop() {
        kernel.close();
        mail.stop();
    }

    void deliverBriefWithAttachments() throws Exception {
        var message = new MimeMessage(Session.getInstance(new Properties()));
        message.setFrom(new InternetAddress(SENDER));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("studio@studio.test"));
        message.setSubject("Brief for the bakery logo");
        var parts = new MimeMultipart();
        var body = new MimeBodyPart();
        body.setText("Hi, the brief and our old proposal are attached.");
        parts.addBodyPart(body);
        parts.addBodyPart(attachment("brief.txt", "text/plain", "Sourdough bakery wants a wheat-sheaf logo in ochre."));
        parts.addBodyPart(attachment("proposal.pdf", "application/pdf", "%PDF-1.4 not text to aios"));
        parts.addBodyPart(attachment("server.log", "text/plain", "x".repeat(300 * 1024)));
        message.setContent(parts);
        message.saveChanges();
        mail.getUserManager().getUser("studio").deliver(message);
    }

    static MimeBodyPart attachment(String name, String type, String content) throws Exception {
        var part = new MimeBodyPart();
        part.setDataHandler(new jakarta.activation.DataHandler(new ByteArrayDataSource(content.getBytes(), type)));
        part.setFileName(name);
        part.setDisposition(MimeBodyPart.ATTACHMENT);
        return part;
    }

    List<MemoryHit> documents(String query) {
        return memory.memory()
                .recall(MemoryQuery.of(query)
                        .withSubject(SENDER)
                        .withKinds(MemoryKind.DOCUMENT)
                        .withK(10))
                .items();
    }

    static JsonNode named(List<MemoryHit> hits, String name) {
        return hits.stream()
                .map(MemoryHit::metadata)
                .filter(metadata -> metadata.path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no document of " + name + " among " + hits));
    }

    @Test
    void eachAttachmentBecomesADocumentAboutTheSenderSaysWhatWasKeptAndIsForgottenWithThem() throws Exception {
        deliverBriefWithAttachments();
        var accepted = connectors.pollMail();
        assertThat(accepted).hasSize(1);

        var brief = documents("wheat-sheaf logo ochre");
        assertThat(brief).isNotEmpty();
        assertThat(brief.getFirst().text()).contains("Sourdough bakery wants a wheat-sheaf logo");
        assertThat(brief.getFirst().subject()).isEqualTo(SENDER);
        assertThat(brief.getFirst().metadata().path("stored").asText()).isEqualTo("text");
        assertThat(brief.getFirst().metadata().path("emailSubject").asText()).isEqualTo("Brief for the bakery logo");

        var all = documents("attachment brief bakery logo");
        var pdf = named(all, "proposal.pdf");
        assertThat(pdf.path("stored").asText()).isEqualTo("metadata");
        assertThat(pdf.path("note").asText()).contains("no reader for application/pdf");
        var log = named(all, "server.log");
        assertThat(log.path("stored").asText()).isEqualTo("skipped");
        assertThat(log.path("note").asText()).contains("300 kB", "more than the 256 kB");

        assertThat(all.stream().map(MemoryHit::id).distinct())
                .as("one document per attachment, its id from the message's")
                .hasSize(3)
                .allMatch(id -> id.startsWith("email-"));

        kernel.forget(SENDER);
        assertThat(documents("wheat-sheaf logo ochre")).isEmpty();
        assertThat(documents("attachment brief bakery logo")).isEmpty();
    }
}
