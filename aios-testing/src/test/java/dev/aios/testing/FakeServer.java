package dev.aios.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for {@code aios up} with the same command line: answers {@code GET /health} with how
 * often it was started on its data directory and the variable {@code FAKE_GREETING}, prints the
 * query of {@code GET /say?...}, prints "stopped" when terminated. With {@code
 * --fail-at-start} it prints an error and exits with code 3 instead.
 */
public final class FakeServer {
    private FakeServer() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        var arguments = List.of(args);
        if (arguments.contains("--fail-at-start")) {
            System.err.println("cannot start: the port is haunted");
            System.exit(3);
        }
        var data = Path.of(arguments.get(arguments.indexOf("--data") + 1));
        int port = Integer.parseInt(arguments.get(arguments.indexOf("--port") + 1));
        Files.createDirectories(data);
        var counter = data.resolve("starts");
        int starts = Files.exists(counter)
                ? Integer.parseInt(Files.readString(counter).strip()) + 1
                : 1;
        Files.writeString(counter, Integer.toString(starts));

        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/health", exchange -> {
            var greeting = System.getenv().getOrDefault("FAKE_GREETING", "");
            var body = ("{\"status\":\"ok\",\"starts\":" + starts + ",\"greeting\":\"" + greeting + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/say", exchange -> {
            System.out.println(exchange.getRequestURI().getQuery());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        System.out.println("fake server is up on port " + port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            System.out.println("stopped");
        }));
        new CountDownLatch(1).await();
    }
}
