package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes sharing one PostgreSQL database and one mailbox (a real IMAP server, GreenMail). */
class MailAcrossNodesTest {
    @RegisterExtension
    static final OnePostgres POSTGRES = new OnePostgres();

    @TempDir
    Path dir;

    @Test
    void bothNodesReadTheMailboxAndEveryMessageBecomesOneEventWhileTheFolderPositionOnlyGoesForward() throws Exception {
        var mail = mailServer();
        String url = POSTGRES.newDatabase("mail_nodes");
        int messages = 30;
        var positions = new ConcurrentLinkedQueue<Long>();
        try (var a = open(url, dir.resolve("a"), mail.getImap().getPort());
                var b = open(url, dir.resolve("b"), mail.getImap().getPort());
                var pool = Executors.newFixedThreadPool(4)) {
            // Both look at the folder for the first time at once: new mail begins at one place.
            var first = new ArrayList<Future<?>>();
            for (var node : new ConnectorsNode[] {a, b}) {
                first.add(pool.submit(() -> node.connectors().pollMail()));
            }
            for (var look : first) {
                look.get();
            }
            var reading = new AtomicBoolean(true);
            var readers = new ArrayList<Future<?>>();
            for (var node : new ConnectorsNode[] {a, b}) {
                readers.add(pool.submit(() -> {
                    while (reading.get()) {
                        node.connectors().pollMail();
                    }
                    return null;
                }));
            }
            // Where the folder's position stands, read from outside while both nodes read mail.
            readers.add(pool.submit(() -> {
                while (reading.get()) {
                    positions.add(
                            OnePostgres.count(url, "SELECT COALESCE(MAX(last_uid), 0) FROM connector_imap_positions"));
                    Thread.sleep(2);
                }
                return null;
            }));
            send(mail, 0, messages);
            awaitCount(url, "SELECT count(*) FROM events WHERE type = 'email.received'", messages);
            reading.set(false);
            for (var reader : readers) {
                reader.get();
            }
        } finally {
            mail.stop();
        }
        assertThat(OnePostgres.count(url, "SELECT count(*) FROM events WHERE type = 'email.received'"))
                .isEqualTo(messages);
        // A node that read less far never takes the position back (which made the other read again).
        var seen = new ArrayList<>(positions);
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i))
                    .as("the position after %d", seen.get(i - 1))
                    .isGreaterThanOrEqualTo(seen.get(i - 1));
        }
    }

    @Test
    void theNodeThatLeadsReadsTheMailboxForBothAndTheOtherTakesOverWhenItStops() throws Exception {
        var mail = mailServer();
        String url = POSTGRES.newDatabase("mail_leader");
        int imap = mail.getImap().getPort();
        try (var toA = new CountingProxy(imap);
                var toB = new CountingProxy(imap)) {
            // Each node reaches the mail server through a proxy of its own, which counts its connections.
            var a = open(url, dir.resolve("a"), toA.port());
            boolean aOpen = true;
            try (var b = open(url, dir.resolve("b"), toB.port())) {
                a.connectors().startMail();
                b.connectors().startMail();
                // The first look at the folder marks where new mail begins; mail sent after it is read.
                awaitCount(url, "SELECT count(*) FROM connector_imap_positions", 1);
                send(mail, 0, 5);
                awaitCount(url, "SELECT count(*) FROM events WHERE type = 'email.received'", 5);
                assertThat(toA.connections())
                        .as("the node running longest reads")
                        .isPositive();
                assertThat(toB.connections())
                        .as("the other stands by without a connection")
                        .isZero();

                a.close();
                aOpen = false;
                send(mail, 5, 5);
                awaitCount(url, "SELECT count(*) FROM events WHERE type = 'email.received'", 10);
                assertThat(toB.connections())
                        .as("the node left reads once the other stopped")
                        .isPositive();
            } finally {
                if (aOpen) {
                    a.close();
                }
            }
            assertThat(OnePostgres.count(url, "SELECT count(*) FROM events WHERE type = 'email.received'"))
                    .as("every message became one event")
                    .isEqualTo(10);
        } finally {
            mail.stop();
        }
    }

    /** A real mail server (SMTP and IMAP on free ports) with the studio's mailbox. */
    private static GreenMail mailServer() {
        var mail = new GreenMail(new ServerSetup[] {ServerSetup.SMTP.dynamicPort(), ServerSetup.IMAP.dynamicPort()});
        mail.start();
        mail.setUser("studio@studio.test", "studio", "s3cret");
        return mail;
    }

    private static void send(GreenMail mail, int from, int count) {
        for (int i = from; i < from + count; i++) {
            GreenMailUtil.sendTextEmail(
                    "studio@studio.test",
                    "client" + i + "@acme.test",
                    "Question " + i,
                    "About the invoice " + i,
                    mail.getSmtp().getServerSetup());
        }
    }

    private static void awaitCount(String url, String sql, long count) throws Exception {
        long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (OnePostgres.count(url, sql) < count) {
            assertThat(System.nanoTime()).as("waited a minute for " + sql).isLessThan(until);
            Thread.sleep(50);
        }
    }

    /** A TCP proxy to a port on this machine that counts the connections made through it. */
    static final class CountingProxy implements AutoCloseable {
        private final java.net.ServerSocket server =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        private final java.util.concurrent.atomic.AtomicInteger connections =
                new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.ExecutorService pipes = Executors.newVirtualThreadPerTaskExecutor();

        CountingProxy(int target) throws IOException {
            pipes.submit(() -> {
                while (!server.isClosed()) {
                    java.net.Socket in;
                    try {
                        in = server.accept();
                    } catch (IOException closed) {
                        return null;
                    }
                    connections.incrementAndGet();
                    var out = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), target);
                    pipes.submit(() -> pipe(in, out));
                    pipes.submit(() -> pipe(out, in));
                }
                return null;
            });
        }

        private static Void pipe(java.net.Socket from, java.net.Socket to) {
            try (from;
                    to) {
                from.getInputStream().transferTo(to.getOutputStream());
            } catch (IOException ended) {
                // one side closed: both are
            }
            return null;
        }

        int port() {
            return server.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws IOException {
            server.close();
            pipes.shutdownNow();
        }
    }

    private static ConnectorsNode open(String url, Path data, int imapPort) throws IOException {
        return ConnectorsNode.open(url, data, """
                email:
                  imap:
                    host: 127.0.0.1
                    port: %d
                    security: none
                    username: studio
                    password: IMAP_PASSWORD
                    folders: [INBOX]
                    poll: 1s
                """.formatted(imapPort), Map.of("IMAP_PASSWORD", "s3cret"));
    }
}
