package dev.aios.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Start-up time and resident memory of {@code aios up}, beside a bare JVM that serves {@code
 * /health} with the JDK's own HTTP server on the same Java release: the time from starting the
 * process to the first {@code 200} from {@code /health} on an empty data directory, and the
 * process's resident set (VmRSS) once healthy and after some idle seconds.
 *
 * <pre>{@code
 * mvn -B -q -Pdist -DskipTests package      # the distribution: aios on its own runtime
 * java -cp 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*' dev.aios.bench.StartupBench \
 *   --aios aios-server/target/dist/aios-VERSION-linux-x64/bin/aios [--runs 5] [--idle 10]
 * }</pre>
 */
public final class StartupBench {
    private static final Pattern UP = Pattern.compile("is up at http://localhost:(\\d+)");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    /** One start: milliseconds to a healthy /health, and resident kB then and after idling. */
    record Start(long millis, long rssHealthyKb, long rssIdleKb) {}

    private StartupBench() {}

    /** Runs the measurement and prints a Markdown table. */
    public static void main(String[] args) throws Exception {
        Path launcher = null;
        int runs = 5;
        int idle = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--aios" -> launcher = Path.of(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--idle" -> idle = Integer.parseInt(args[++i]);
                case "--health-server" -> {
                    healthServer();
                    return;
                }
                default -> {
                    System.err.println("usage: StartupBench --aios PATH/bin/aios [--runs N] [--idle SECONDS]");
                    System.exit(2);
                }
            }
        }
        if (launcher == null) {
            System.err.println(
                    "name the aios launcher: --aios aios-server/target/dist/aios-VERSION-linux-x64/bin/aios");
            System.exit(2);
        }
        // The baseline runs on this JVM's runtime (the same Java release the distribution was made from).
        var java = Path.of(System.getProperty("java.home"), "bin", "java");
        var self = System.getProperty("java.class.path");
        var aios = new ArrayList<Start>();
        var bare = new ArrayList<Start>();
        for (int run = 0; run < runs; run++) {
            var data = Files.createTempDirectory("aios-startup-");
            bare.add(measure(
                    List.of(java.toString(), "-cp", self, StartupBench.class.getName(), "--health-server"), idle));
            aios.add(measure(List.of(launcher.toString(), "up", "--data", data.toString(), "--port", "0"), idle));
            System.err.printf(Locale.ROOT, "run %d: aios %s, bare JVM %s%n", run + 1, aios.getLast(), bare.getLast());
        }
        System.out.println(report(aios, bare, Runtime.getRuntime().availableProcessors()));
    }

    static String report(List<Start> aios, List<Start> bare, int cores) {
        var text = new StringBuilder();
        text.append(
                "| process | runs | start to healthy, median ms | min ms | RSS healthy, median MB | RSS idle, median MB |\n");
        text.append("|---|---:|---:|---:|---:|---:|\n");
        row(text, "bare JVM + JDK HTTP server", bare);
        row(text, "`aios up`, empty data directory", aios);
        text.append(String.format(
                Locale.ROOT,
                "%nRatios (aios / bare JVM, medians): start-up %.1f×, idle RSS %.1f×; %d cores.%n",
                (double) median(aios, Start::millis) / median(bare, Start::millis),
                (double) median(aios, Start::rssIdleKb) / median(bare, Start::rssIdleKb),
                cores));
        return text.toString();
    }

    private static void row(StringBuilder text, String name, List<Start> starts) {
        text.append(String.format(
                Locale.ROOT,
                "| %s | %d | %,d | %,d | %,d | %,d |%n",
                name,
                starts.size(),
                median(starts, Start::millis),
                starts.stream().mapToLong(Start::millis).min().orElse(0),
                median(starts, Start::rssHealthyKb) / 1024,
                median(starts, Start::rssIdleKb) / 1024));
    }

    private static long median(List<Start> starts, java.util.function.ToLongFunction<Start> value) {
        var sorted = starts.stream().mapToLong(value).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static Start measure(List<String> command, int idleSeconds) throws Exception {
        var log = Files.createTempFile("aios-startup-", ".log");
        var http = HttpClient.newHttpClient();
        long started = System.nanoTime();
        var process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            long deadline = started + TimeUnit.MINUTES.toNanos(2);
            while (true) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IllegalStateException(
                            "no healthy /health from " + command + ":\n" + Files.readString(log));
                }
                var matcher = UP.matcher(Files.readString(log));
                if (matcher.find() && healthy(http, matcher.group(1))) {
                    break;
                }
                Thread.sleep(5);
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            long healthy = rssKb(process.pid());
            Thread.sleep(Duration.ofSeconds(idleSeconds));
            return new Start(millis, healthy, rssKb(process.pid()));
        } finally {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }

    private static boolean healthy(HttpClient http, String port) {
        try {
            var answer = http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/health"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return answer.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long rssKb(long pid) throws IOException {
        var matcher = RSS.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    /** The baseline: a JVM serving /health with the JDK's HTTP server, saying where as aios does. */
    private static void healthServer() throws IOException {
        var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", exchange -> {
            var body = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.out.println(
                "bare JVM is up at http://localhost:" + server.getAddress().getPort());
        System.out.flush();
    }
}
