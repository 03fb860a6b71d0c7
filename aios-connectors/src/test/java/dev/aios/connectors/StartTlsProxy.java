package dev.aios.connectors;

import com.icegreen.greenmail.util.DummySSLServerSocketFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An SMTP server with STARTTLS for the mail tests: it offers STARTTLS, upgrades the connection with
 * GreenMail's test certificate, and relays everything else to a plain GreenMail SMTP server (which
 * has no STARTTLS of its own).
 */
final class StartTlsProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int upstream;
    private final SSLContext tls;
    /** Whether a client upgraded its connection to TLS. */
    volatile boolean upgraded;

    StartTlsProxy(int upstreamPort) throws Exception {
        this.upstream = upstreamPort;
        var keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(new DummySSLServerSocketFactory().getKeyStore(), "changeit".toCharArray());
        tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                var client = listener.accept();
                Thread.ofVirtual().start(() -> relay(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private final class Session {
        volatile Socket client;
        volatile boolean secure;
        volatile boolean ehlo;
    }

    private void relay(Socket client) {
        var session = new Session();
        session.client = client;
        try (client;
                var server = new Socket(InetAddress.getLoopbackAddress(), upstream)) {
            Thread.ofVirtual().start(() -> fromServer(server, session));
            var in = client.getInputStream();
            byte[] line;
            while ((line = readLine(in)) != null) {
                var text = new String(line, StandardCharsets.US_ASCII).strip().toUpperCase(Locale.ROOT);
                if (!session.secure && text.equals("STARTTLS")) {
                    write(
                            session.client.getOutputStream(),
                            "220 2.0.0 Ready to start TLS\r\n".getBytes(StandardCharsets.US_ASCII));
                    var secured = (SSLSocket)
                            tls.getSocketFactory().createSocket(client, "127.0.0.1", client.getPort(), true);
                    secured.setUseClientMode(false);
                    secured.startHandshake();
                    session.client = secured;
                    session.secure = true;
                    upgraded = true;
                    in = secured.getInputStream();
                    continue;
                }
                session.ehlo = text.startsWith("EHLO");
                write(server.getOutputStream(), line);
            }
        } catch (IOException e) {
            // the connection ended
        }
    }

    private void fromServer(Socket server, Session session) {
        try {
            var in = server.getInputStream();
            byte[] line;
            while ((line = readLine(in)) != null) {
                var text = new String(line, StandardCharsets.US_ASCII);
                if (session.ehlo && !session.secure && text.startsWith("250 ")) {
                    write(session.client.getOutputStream(), "250-STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                write(session.client.getOutputStream(), line);
            }
        } catch (IOException e) {
            // the connection ended
        }
    }

    private static void write(OutputStream out, byte[] bytes) throws IOException {
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    /** One line with its line ending, or null at the end. */
    private static byte[] readLine(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n') {
                return line.toByteArray();
            }
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
