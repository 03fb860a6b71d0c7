package dev.aios.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Email in against a real IMAP server (GreenMail): each new message one event, never lost, never twice. */
class EmailInTest {
    @TempDir
    Path dir;

    GreenMail mail;
    Kernel kernel;
    ConnectorsExtension connectors;

    static final String PLAYBOOKS = """
            name: answer-mail
            trigger: { event: email.received }
            steps:
              - id: note
                agent: note-mail
                input:
                  from: event.data.from
                  subject: event.data.subject
                  text: event.data.text
                  attachments: event.data.attachments.map(a, a.name + ' ' + a.contentType)
            """;

    /** What the playbook saw of each message. */
    static final ConcurrentLinkedQueue<NoteMail.Mail> SEEN = new ConcurrentLinkedQueue<>();

    /** Notes each message its step is given. */
    public static final class NoteMail implements Agent<NoteMail.Mail, NoteMail.Mail> {
        public record Mail(String from, String subject, String text, List<String> attachments) {}

        @Override
        public Contract<Mail, Mail> contract() {
            return Contract.of("note-mail", "1.0.0", Mail.class, Mail.class);
        }

        @Override
        public Mail run(Mail input, AgentContext context) {
            SEEN.add(input);
            return input;
        }
    }

    @BeforeEach
    void startMailServer() throws Exception {
        SEEN.clear();
        mail = new GreenMail(new ServerSetup[] {ServerSetup.SMTP.dynamicPort(), ServerSetup.IMAP.dynamicPort()});
        mail.start();
        mail.setUser("studio@studio.test", "studio", "s3cret");
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/p.yaml"), PLAYBOOKS);
    }

    void startAios(String password) throws Exception {
        var settings = ConnectorSettings.read(
                new YAMLMapper().readTree("""
                email:
                  imap:
                    host: 127.0.0.1
                    port: %d
                    security: none
                    username: studio
                    password: IMAP_PASSWORD
                    folders: [INBOX]
                    poll: 1s
                """.formatted(mail.getImap().getPort()))::get);
        connectors = new ConnectorsExtension(
                settings,
                name -> Optional.ofNullable(Map.of("IMAP_PASSWORD", password).get(name)));
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .agent(new NoteMail())
                .extension(connectors)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10))
                .build();
        kernel.start();
    }

    void stopAios() {
        if (kernel != null) {
            kernel.close();
            kernel = null;
        }
    }

    @AfterEach
    void stop() {
        stopAios();
        mail.stop();
    }

    void send(String from, String subject, String text) {
        GreenMailUtil.sendTextEmail(
                "studio@studio.test", from, subject, text, mail.getSmtp().getServerSetup());
    }

    List<String> seenSubjects(int atLeast) {
        return Eventually.await(
                () -> SEEN.stream().map(NoteMail.Mail::subject).toList(), seen -> seen.size() >= atLeast);
    }

    @Test
    void aNewMessageBecomesOneEmailReceivedEventWithItsMessageIdAsId() throws Exception {
        startAios("s3cret");
        send("early@acme.test", "Sent before aios looked", "old news");
        assertThat(connectors.pollMail())
                .as("the first look only marks where new mail begins")
                .isEmpty();

        send("Ada@Acme.test", "A new website?", "Hi, could you quote a redesign?");
        var accepted = connectors.pollMail();

        assertThat(accepted).hasSize(1);
        var messageId = mail.getReceivedMessages()[1].getMessageID();
        assertThat(accepted.getFirst()).isEqualTo("email:" + messageId);
        assertThat(seenSubjects(1)).containsExactly("A new website?");
        var seen = SEEN.peek();
        assertThat(seen.from()).isEqualTo("ada@acme.test");
        assertThat(seen.text()).contains("could you quote a redesign?");
        assertThat(connectors.pollMail()).as("looking again finds nothing new").isEmpty();
    }

    @Test
    void aRestartNeitherLosesNorRepeatsAMessage() throws Exception {
        startAios("s3cret");
        connectors.pollMail();
        send("ada@acme.test", "first", "1");
        send("bob@acme.test", "second", "2");
        assertThat(connectors.pollMail()).hasSize(2);
        seenSubjects(2);
        stopAios();

        send("cy@acme.test", "third, while aios was down", "3");
        startAios("s3cret");
        assertThat(connectors.pollMail()).hasSize(1);

        assertThat(seenSubjects(3)).containsExactlyInAnyOrder("first", "second", "third, while aios was down");
    }

    @Test
    void readingMessagesAgainAfterACrashBeforeThePositionWasSavedStartsNothingTwice() throws Exception {
        startAios("s3cret");
        connectors.pollMail();
        send("ada@acme.test", "first", "1");
        send("bob@acme.test", "second", "2");
        assertThat(connectors.pollMail()).hasSize(2);
        seenSubjects(2);
        stopAios();
        // As if aios died after the events were accepted but before the position moved.
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/aios.db"));
                var statement = db.createStatement()) {
            assertThat(statement.executeUpdate("UPDATE connector_imap_positions SET last_uid = 0"))
                    .isEqualTo(1);
        }

        startAios("s3cret");
        assertThat(connectors.pollMail())
                .as("both messages are read again and recognised")
                .isEmpty();
        send("cy@acme.test", "third", "3");
        assertThat(connectors.pollMail()).hasSize(1);
        assertThat(seenSubjects(3)).containsExactlyInAnyOrder("first", "second", "third");
        Thread.sleep(200);
        assertThat(SEEN).hasSize(3);
    }

    @Test
    void attachmentsAreListedWithTheirNameAndType() throws Exception {
        startAios("s3cret");
        connectors.pollMail();
        GreenMailUtil.sendAttachmentEmail(
                "studio@studio.test",
                "ada@acme.test",
                "Brief attached",
                "See the brief.",
                "Logo: round, blue.".getBytes(StandardCharsets.UTF_8),
                "text/plain",
                "brief.txt",
                "the brief",
                mail.getSmtp().getServerSetup());
        connectors.pollMail();

        seenSubjects(1);
        assertThat(SEEN.peek().text()).contains("See the brief.");
        assertThat(SEEN.peek().attachments()).containsExactly("brief.txt text/plain");
    }

    @Test
    void aMalformedMessageBecomesAnUnreadableEventAndTheMailAfterItStillArrives() throws Exception {
        Files.writeString(dir.resolve("playbooks/q.yaml"), """
                name: unreadable-mail
                trigger: { event: email.unreadable }
                steps:
                  - id: note
                    agent: note-mail
                    input:
                      from: event.data.from
                      subject: event.data.subject
                      text: event.data.error + ' / ' + event.data.raw
                      attachments: "[]"
                """);
        startAios("s3cret");
        connectors.pollMail();
        var broken = """
                From: ada@acme.test\r
                To: studio@studio.test\r
                Subject: broken\r
                Message-ID: <broken-1@acme.test>\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="never-there"\r
                \r
                This body has no part starting with the boundary it declares.\r
                """;
        var raw = new MimeMessage(
                Session.getInstance(new Properties()),
                new ByteArrayInputStream(broken.getBytes(StandardCharsets.US_ASCII)));
        mail.getUserManager().getUser("studio").deliver(raw);
        send("bob@acme.test", "fine", "a readable message after the broken one");

        var accepted = connectors.pollMail();

        assertThat(accepted)
                .containsExactly("email:<broken-1@acme.test>", "email:" + mail.getReceivedMessages()[1].getMessageID());
        assertThat(seenSubjects(2)).containsExactlyInAnyOrder("broken", "fine");
        var note = SEEN.stream()
                .filter(m -> m.subject().equals("broken"))
                .findFirst()
                .orElseThrow();
        assertThat(note.from()).isEqualTo("ada@acme.test");
        assertThat(note.text())
                .startsWith("the message cannot be read: ")
                .contains("This body has no part starting with the boundary");
        assertThat(connectors.pollMail())
                .as("the broken message does not block the folder")
                .isEmpty();
    }

    @Test
    void aWrongPasswordIsAClearErrorAndReadsNothing() throws Exception {
        startAios("wrong");
        assertThatThrownBy(connectors::pollMail)
                .hasMessageContaining("reading mail from studio@127.0.0.1 failed")
                .hasMessageContaining("password secret");
    }

    @Test
    void inTheBackgroundNewMailArrivesWithoutAsking() throws Exception {
        startAios("s3cret");
        connectors.pollMail();
        connectors.startMail();
        send("ada@acme.test", "hello from the loop", "hi");

        assertThat(seenSubjects(1)).containsExactly("hello from the loop");
    }
}
