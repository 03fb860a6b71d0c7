package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.server.internal.cli.AiosCommand;
import dev.aios.server.internal.http.MemoryRoutes;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aios memory import} of email: an mbox file and a Maildir folder, written here as mail
 * programs write them, give one email item per message with its subject, sender, date and text, and
 * its attachments noted.
 */
class MailImportTest {
    private static final Session SESSION = Session.getInstance(new Properties());

    @TempDir
    Path dir;

    Kernel kernel;
    MemoryExtension memory;
    ApiServer server;
    String url;

    record Result(int exitCode, String out, String err) {}

    @BeforeEach
    void start() {
        memory = MemoryExtension.of(MemorySettings.defaults());
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(memory)
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        server = ApiServer.start(kernel, "127.0.0.1", 0, new MemoryRoutes(kernel, memory, InstantSource.system()));
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        kernel.close();
    }

    @Test
    void anMboxFileAndAMaildirFolderGiveOneEmailItemPerMessageAndAgainNothingNew() throws Exception {
        var mail = Files.createDirectories(dir.resolve("mail"));
        Files.write(
                mail.resolve("acme.mbox"),
                mbox(
                        plain(
                                "ada@acme.test",
                                "Logo feedback",
                                "The teal logo works; make the wordmark bolder.\n"
                                        + "From now on send drafts on Mondays.\n"),
                        withAttachment(
                                "ada@acme.test",
                                "Signed contract",
                                "<html><body><p>Here is the <b>signed</b> contract &amp; the brief.</p>"
                                        + "<script>track()</script></body></html>",
                                "contract.pdf"),
                        plain(
                                "=?UTF-8?B?" + base64("Zoë") + "?= <zoe@acme.test>",
                                "Grüße",
                                "Danke für die Skizzen.\n")));
        var maildir = Files.createDirectories(mail.resolve("Clients"));
        for (var part : List.of("cur", "new", "tmp")) {
            Files.createDirectories(maildir.resolve(part));
        }
        Files.write(
                maildir.resolve("cur/1700000000.M1P1.host:2,S"),
                bytes(plain("bob@bolt.test", "Invoice 17", "Bolt paid invoice 17 by bank transfer.\n")));
        Files.write(
                maildir.resolve("new/1700000100.M2P2.host"),
                bytes(plain("cleo@corvid.test", "Kickoff", "Corvid's kickoff moves to Tuesday.\n")));
        Files.writeString(maildir.resolve("tmp/1700000200.M3P3.host"), "half-delivered");

        var first = cli("memory", "import", mail.toString(), "--subject", "studio");

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("imported 5 items from 1 file and 1 Maildir folder", "5 new, 0 already there");
        var logo = only("wordmark bolder");
        assertThat(logo.kind()).isEqualTo(MemoryKind.EMAIL);
        assertThat(logo.subject()).isEqualTo("studio");
        assertThat(logo.text())
                .startsWith("Subject: Logo feedback\nFrom: ada@acme.test\nDate: 2026-03-02T09:00:00Z")
                .as("a body line escaped in the mbox is read as written")
                .contains("\nFrom now on send drafts on Mondays.");
        assertThat(logo.metadata().path("source").asText()).isEqualTo("acme.mbox");
        assertThat(logo.metadata().path("from").asText()).isEqualTo("ada@acme.test");
        assertThat(logo.metadata().path("date").asText()).isEqualTo("2026-03-02T09:00:00Z");

        var contract = only("signed contract");
        assertThat(contract.text())
                .as("the HTML part as text, without its script")
                .contains("Here is the signed contract & the brief.")
                .doesNotContain("<b>", "track()")
                .endsWith("Attachments: contract.pdf (application/pdf)");
        assertThat(contract.metadata().path("attachments").get(0).path("name").asText())
                .isEqualTo("contract.pdf");

        var german = only("Skizzen");
        assertThat(german.metadata().path("subject").asText()).isEqualTo("Grüße");
        assertThat(german.metadata().path("from").asText()).isEqualTo("Zoë <zoe@acme.test>");
        assertThat(only("bank transfer").metadata().path("source").asText()).isEqualTo("Clients");
        assertThat(only("Tuesday").text()).startsWith("Subject: Kickoff");
        assertThat(memory.memory().recall(MemoryQuery.of("half-delivered")).items())
                .as("a message still being delivered (tmp/) is not imported")
                .noneMatch(hit -> hit.text().contains("half-delivered"));

        var again = cli("memory", "import", mail.toString(), "--subject", "studio");

        assertThat(again.out()).contains("imported 5 items", "0 new, 5 already there");
        assertThat(memory.stats().tiers().get(MemoryKind.Tier.SEMANTIC).items()).isEqualTo(5);
    }

    @Test
    void aFileNamedMboxThatIsNotOneIsListedAndNothingIsStored() throws Exception {
        var good = dir.resolve("good.mbox");
        Files.write(good, mbox(plain("ada@acme.test", "Hello", "A real message.\n")));
        var bad = dir.resolve("notes.mbox");
        Files.writeString(bad, "\nthese are my notes, not mail\n");
        var both = Files.createDirectories(dir.resolve("both"));
        Files.move(good, both.resolve("good.mbox"));
        Files.move(bad, both.resolve("notes.mbox"));

        var refused = cli("memory", "import", both.toString());

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err())
                .contains(both.resolve("notes.mbox") + ":2: not an mbox file")
                .contains("1 item is bad (listed above); nothing was imported");
        assertThat(memory.stats().tiers().get(MemoryKind.Tier.SEMANTIC).items()).isZero();

        var skipping = cli("memory", "import", both.toString(), "--skip-bad");

        assertThat(skipping.out()).contains("imported 1 items from 2 files", "1 bad skipped");
        assertThat(only("real message").metadata().path("subject").asText()).isEqualTo("Hello");
    }

    /** The best hit for {@code words}. */
    private MemoryHit only(String words) {
        var items = memory.memory().recall(MemoryQuery.of(words)).items();
        assertThat(items).as("items found by '%s'", words).isNotEmpty();
        return items.getFirst();
    }

    private static MimeMessage plain(String from, String subject, String text) throws Exception {
        var message = new MimeMessage(SESSION);
        message.setHeader("From", from);
        message.setRecipients(jakarta.mail.Message.RecipientType.TO, "studio@example.test");
        message.setSubject(subject, "UTF-8");
        message.setSentDate(Date.from(Instant.parse("2026-03-02T09:00:00Z")));
        message.setText(text, "UTF-8");
        message.saveChanges();
        return message;
    }

    private static MimeMessage withAttachment(String from, String subject, String html, String file) throws Exception {
        var message = plain(from, subject, "");
        var body = new MimeBodyPart();
        body.setContent(html, "text/html; charset=UTF-8");
        var attachment = new MimeBodyPart();
        attachment.setContent("%PDF-1.4 contract".getBytes(StandardCharsets.US_ASCII), "application/pdf");
        attachment.setFileName(file);
        attachment.setDisposition(jakarta.mail.Part.ATTACHMENT);
        message.setContent(new MimeMultipart(body, attachment));
        message.saveChanges();
        return message;
    }

    private static byte[] bytes(MimeMessage message) throws Exception {
        var out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    /** Messages as an mboxrd file: a From_ line before each, body lines starting with "From " escaped. */
    private static byte[] mbox(MimeMessage... messages) throws Exception {
        var out = new StringBuilder();
        for (var message : messages) {
            out.append("From ")
                    .append(((InternetAddress) message.getFrom()[0]).getAddress())
                    .append(" Mon Mar  2 09:00:00 2026\n");
            var raw = new String(bytes(message), StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
            for (var line : raw.split("\n", -1)) {
                out.append(line.matches(">*From .*") ? ">" + line : line).append('\n');
            }
            out.append('\n');
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String base64(String text) {
        return java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private Result cli(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var command = AiosCommand.commandLine(
                Map.of("AIOS_URL", url, "AIOS_TOKEN", TestAios.adminToken(dir.resolve("data"))));
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));
        int exit = command.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
