package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.aios.testing.Poll;
import dev.aios.testing.ServerProcess;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Email in through a real server process reading a real IMAP server (GreenMail), killed with SIGKILL
 * while it is turning a burst of new mail into events, three times: afterwards every message has
 * started exactly one run, none lost to the kills, none doubled by reading a message again.
 */
class EmailInCrashIT {
    static final int BURST = 120;
    static final int KILLS = 3;

    static final String PLAYBOOK = """
            name: note-mail
            trigger: { event: email.received }
            steps:
              - id: note
                emit:
                  type: mail.noted
                  data: { subject: event.data.subject }
            """;

    @TempDir
    Path directory;

    GreenMail mail;

    @BeforeEach
    void startMailServer() {
        var smtp = ServerSetup.SMTP.dynamicPort();
        var imap = ServerSetup.IMAP.dynamicPort();
        smtp.setServerStartupTimeout(30_000);
        imap.setServerStartupTimeout(30_000);
        mail = new GreenMail(new ServerSetup[] {smtp, imap});
        mail.start();
        mail.setUser("studio@studio.test", "studio", "s3cret");
    }

    @AfterEach
    void stopMailServer() {
        mail.stop();
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void noMessageIsLostOrDoubledWhenTheServerIsKilledWhileReadingMail() throws Exception {
        var playbooks = Files.createDirectories(directory.resolve("playbooks"));
        Files.writeString(playbooks.resolve("note-mail.yaml"), PLAYBOOK);
        var config = Files.writeString(
                directory.resolve("aios.yaml"), """
                email:
                  imap:
                    host: 127.0.0.1
                    port: %d
                    security: none
                    username: studio
                    password: IMAP_PASSWORD
                    folders: [INBOX]
                    poll: 1s
                """.formatted(mail.getImap().getPort()));
        try (var server = ServerProcess.builder(directory)
                .arguments("--playbooks", playbooks.toString(), "--no-examples", "--config", config.toString())
                .environment("IMAP_PASSWORD", "s3cret")
                .start()) {
            // Mail is read from the first look on; wait for it before any arrives.
            Poll.until(
                    "the first look at the inbox",
                    server::output,
                    log -> log.contains("reading new mail in INBOX"),
                    Duration.ofSeconds(60),
                    () -> server.explain("server log"));
            var seenAtKill = new ArrayList<Integer>();
            for (int kill = 0; kill < KILLS; kill++) {
                int before = subjects(server).size();
                deliver(kill * BURST, BURST);
                int atKill = Poll.until(
                        "mail of burst " + (kill + 1) + " being read",
                        () -> subjects(server).size(),
                        n -> n > before,
                        Duration.ofSeconds(60),
                        () -> server.explain("server log"));
                server.killHard();
                seenAtKill.add(atKill - before);
                server.restart();
            }
            var expected = IntStream.range(0, KILLS * BURST)
                    .mapToObj(EmailInCrashIT::sender)
                    .toList();
            Poll.until(
                    "every message read after the last restart",
                    () -> subjects(server).size(),
                    n -> n >= expected.size(),
                    Duration.ofSeconds(120),
                    () -> diagnose(server, expected, seenAtKill));
            server.stop();
            server.restart();

            var subjects = subjects(server);
            assertThat(subjects).as("one run per message").doesNotHaveDuplicates();
            assertThat(subjects)
                    .as("every message, once (runs seen at each kill: %s)", seenAtKill)
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    /** What went wrong: the messages without a run, the mail lines of the log, the mail thread. */
    static String diagnose(ServerProcess server, List<String> expected, List<Integer> seenAtKill) {
        var missing = new ArrayList<>(expected);
        missing.removeAll(subjects(server));
        var lines = server.output()
                .lines()
                .filter(line -> line.contains("mail")
                        || line.contains("WARN")
                        || line.contains("ERROR")
                        || line.contains("=== start"))
                .toList();
        String threads;
        try {
            var jcmd = new ProcessBuilder("jcmd", String.valueOf(server.pid()), "Thread.print")
                    .redirectErrorStream(true)
                    .start();
            threads = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            threads = "(no thread dump: " + e + ")";
        }
        int at = threads.indexOf("aios-imap");
        return "runs seen at each kill " + seenAtKill + "; " + missing.size() + " messages without a run: " + missing
                + "\n" + String.join("\n", lines) + "\n--- mail thread ---\n"
                + (at < 0 ? "(none)" : threads.substring(at, Math.min(threads.length(), at + 3000)));
    }

    /** Puts {@code count} messages in the inbox at once, each from its own sender. */
    void deliver(int from, int count) throws Exception {
        var session = Session.getInstance(new Properties());
        var user = mail.getUserManager().getUser("studio");
        for (int i = from; i < from + count; i++) {
            var message = new MimeMessage(session);
            message.setFrom(new InternetAddress(sender(i)));
            message.setRecipient(Message.RecipientType.TO, new InternetAddress("studio@studio.test"));
            message.setSubject("Request " + i);
            message.setText("Please have a look at request " + i + ".");
            message.setHeader("Message-ID", "<request-" + i + "@clients.test>");
            user.deliver(message);
        }
    }

    static String sender(int i) {
        return "client-" + i + "@clients.test";
    }

    /** The subject (the sender) of every run the mail started, as many times as it started one. */
    static List<String> subjects(ServerProcess server) {
        var subjects = new ArrayList<String>();
        server.http()
                .get("/api/runs?playbook=note-mail&limit=1000")
                .expect(200)
                .json()
                .forEach(run -> subjects.add(run.path("subject").asText()));
        return subjects;
    }
}
