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
import java.util.Map;
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
 *   --aios aios-server/target/dist/aios-VERSION-linux-x64/bin/aios [--runs 5] [--idle 10] \
 *   [--against OTHER/bin/aios] [--fresh-cache]
 * }</pre>
 *
 * <p>{@code --against} starts a second aios (an older build) in every run, alternating which of
 * the two goes first. Each launcher keeps its class-data archive in a cache directory of its own
 * for the whole bench ({@code AIOS_CACHE}), so the first start of a launcher that writes its
 * archive when it stops runs without one and the later starts with it; {@code --fresh-cache} gives
 * every start an empty cache instead, as the first start after installing.
 */
public final class StartupBench {
    private static final Pattern UP = Pattern.compile("is up at http://localhost:(\\d+)");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    /**
     * One start: milliseconds to a healthy /health, the CPU milliseconds the process used until
     * then (user + system, steadier than wall time on a loaded machine), and resident kB then and
     * after idling.
     */
    record Start(long millis, long cpuMillis, long rssHealthyKb, long rssIdleKb) {}

    private StartupBench() {}

    /** Runs the measurement and prints a Markdown table. */
    public static void main(String[] args) throws Exception {
        Path launcher = null;
        Path against = null;
        boolean freshCache = false;
        int runs = 5;
        int idle = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--aios" -> launcher = Path.of(args[++i]);
                case "--against" -> against = Path.of(args[++i]);
                case "--fresh-cache" -> freshCache = true;
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--idle" -> idle = Integer.parseInt(args[++i]);
                case "--health-server" -> {
                    healthServer();
                    return;
                }
                default -> {
                    System.err.println("usage: StartupBench --aios PATH/bin/aios [--against OTHER/bin/aios]"
                            + " [--fresh-cache] [--runs N] [--idle SECONDS]");
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
        var contenders = new ArrayList<Contender>();
        contenders.add(
                new Contender("`aios up`, empty data directory", launcher, Files.createTempDirectory("aios-cache-")));
        if (against != null) {
            contenders.add(new Contender(
                    "`aios up` of " + against + ", empty data directory",
                    against,
                    Files.createTempDirectory("aios-cache-")));
        }
        var bare = new ArrayList<Start>();
        for (int run = 0; run < runs; run++) {
            bare.add(measure(
                    List.of(java.toString(), "-cp", self, StartupBench.class.getName(), "--health-server"),
                    Map.of(),
                    idle));
            var line = new StringBuilder("run " + (run + 1) + ": bare JVM " + bare.getLast());
            for (int n = 0; n < contenders.size(); n++) {
                // Alternating which goes first, so neither always follows the bare JVM.
                var contender = contenders.get((n + run) % contenders.size());
                var cache = freshCache ? Files.createTempDirectory("aios-cache-") : contender.cache();
                var data = Files.createTempDirectory("aios-startup-");
                contender
                        .starts()
                        .add(measure(
                                List.of(
                                        contender.launcher().toString(),
                                        "up",
                                        "--data",
                                        data.toString(),
                                        "--port",
                                        "0"),
                                Map.of("AIOS_CACHE", cache.toString()),
                                idle));
                line.append(", ")
                        .append(contender.launcher())
                        .append(' ')
                        .append(contender.starts().getLast());
                KernelLoad.deleteTree(data);
                if (freshCache) {
                    KernelLoad.deleteTree(cache);
                }
            }
            System.err.println(line);
        }
        System.out.println(report(contenders, bare, Runtime.getRuntime().availableProcessors(), freshCache));
    }

    /** An aios launcher under measurement, with the cache directory its class-data archive is kept in. */
    record Contender(String name, Path launcher, Path cache, List<Start> starts) {
        Contender(String name, Path launcher, Path cache) {
            this(name, launcher, cache, new ArrayList<>());
        }
    }

    static String report(List<Contender> contenders, List<Start> bare, int cores, boolean freshCache) {
        var text = new StringBuilder();
        text.append(
                "| process | runs | start to healthy, median ms | min ms | CPU to healthy, median ms | RSS healthy, median MB | RSS idle, median MB |\n");
        text.append("|---|---:|---:|---:|---:|---:|---:|\n");
        row(text, "bare JVM + JDK HTTP server", bare);
        for (var contender : contenders) {
            row(text, contender.name(), contender.starts());
        }
        text.append(String.format(
                Locale.ROOT,
                "%nEvery start of aios with %s; %d cores.%n",
                freshCache
                        ? "an empty cache directory (AIOS_CACHE), as the first start after installing"
                        : "its launcher's cache directory (AIOS_CACHE) kept from start to start",
                cores));
        for (var contender : contenders) {
            var aios = contender.starts();
            text.append(String.format(
                    Locale.ROOT,
                    "Ratios (%s / bare JVM, medians): start-up %.1f×, CPU to healthy %.1f×, idle RSS %.1f×.%n",
                    contender.launcher(),
                    (double) median(aios, Start::millis) / median(bare, Start::millis),
                    (double) median(aios, Start::cpuMillis) / median(bare, Start::cpuMillis),
                    (double) median(aios, Start::rssIdleKb) / median(bare, Start::rssIdleKb)));
        }
        if (contenders.size() == 2) {
            var now = contenders.get(0).starts();
            var before = contenders.get(1).starts();
            text.append(String.format(
                    Locale.ROOT,
                    "Ratios (%s / %s, medians): start-up %.2f×, CPU to healthy %.2f×, idle RSS %.2f×.%n",
                    contenders.get(0).launcher(),
                    contenders.get(1).launcher(),
                    (double) median(now, Start::millis) / median(before, Start::millis),
                    (double) median(now, Start::cpuMillis) / median(before, Start::cpuMillis),
                    (double) median(now, Start::rssIdleKb) / median(before, Start::rssIdleKb)));
        }
        return text.toString();
    }

    private static void row(StringBuilder text, String name, List<Start> starts) {
        text.append(String.format(
                Locale.ROOT,
                "| %s | %d | %,d | %,d | %,d | %,d | %,d |%n",
                name,
                starts.size(),
                median(starts, Start::millis),
                starts.stream().mapToLong(Start::millis).min().orElse(0),
                median(starts, Start::cpuMillis),
                median(starts, Start::rssHealthyKb) / 1024,
                median(starts, Start::rssIdleKb) / 1024));
    }

    private static long median(List<Start> starts, java.util.function.ToLongFunction<Start> value) {
        var sorted = starts.stream().mapToLong(value).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static Start measure(List<String> command, Map<String, String> environment, int idleSeconds)
            throws Exception {
        try (var process = launch(command, environment)) {
            var healthy = process.awaitHealthy();
            Thread.sleep(Duration.ofSeconds(idleSeconds));
            return new Start(healthy.millis(), healthy.cpuMillis(), healthy.rssHealthyKb(), process.rssKb());
        }
    }

    /** Starts {@code command}, its output going to a log file that {@link Launched#awaitHealthy} reads. */
    static Launched launch(List<String> command) throws IOException {
        return launch(command, Map.of());
    }

    /** Starts {@code command} with {@code environment} added to this process's. */
    static Launched launch(List<String> command, Map<String, String> environment) throws IOException {
        var log = Files.createTempFile("aios-startup-", ".log");
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        long started = System.nanoTime();
        var process = builder.start();
        return new Launched(command, process, log, started);
    }

    /** A started process that says where it serves ({@code is up at http://localhost:PORT}). */
    record Launched(List<String> command, Process process, Path logFile, long started) implements AutoCloseable {
        /**
         * Waits for the first {@code 200} from {@code /health}; the rest of the returned start (the
         * idle RSS) is the RSS then.
         */
        Start awaitHealthy() throws Exception {
            var http = HttpClient.newHttpClient();
            long deadline = started + TimeUnit.MINUTES.toNanos(2);
            while (true) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IllegalStateException("no healthy /health from " + command + ":\n" + log());
                }
                var matcher = UP.matcher(Files.readString(logFile));
                if (matcher.find() && healthy(http, matcher.group(1))) {
                    break;
                }
                Thread.sleep(5);
            }
            long millis = elapsedMillis();
            long rss = rssKb();
            return new Start(millis, cpuMillis(), rss, rss);
        }

        /**
         * Waits for the first {@code 200} from {@code /health} on {@code port}, asked from the start
         * without waiting for the banner; the rest of the returned start (the idle RSS) is the RSS then.
         */
        Start awaitHealthy(int port) throws Exception {
            var http = HttpClient.newHttpClient();
            long deadline = started + TimeUnit.MINUTES.toNanos(2);
            while (!healthy(http, Integer.toString(port))) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IllegalStateException("no healthy /health from " + command + ":\n" + log());
                }
                Thread.sleep(5);
            }
            long millis = elapsedMillis();
            long rss = rssKb();
            return new Start(millis, cpuMillis(), rss, rss);
        }

        /** User + system CPU milliseconds the process used so far. */
        long cpuMillis() throws IOException {
            return StartupBench.cpuMillis(process.pid());
        }

        long elapsedMillis() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        }

        boolean alive() {
            return process.isAlive();
        }

        long rssKb() throws IOException {
            return StartupBench.rssKb(process.pid());
        }

        String log() throws IOException {
            return Files.readString(logFile);
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
            Files.deleteIfExists(logFile);
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

    /** User + system CPU milliseconds of process {@code pid} so far, from {@code /proc/PID/stat}. */
    static long cpuMillis(long pid) throws IOException {
        var stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // Fields after the command name, which is in parentheses and may hold spaces.
        var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 1000 / TICKS_PER_SECOND;
    }

    /** The kernel's clock ticks per second (USER_HZ), 100 on every Linux this runs on. */
    private static final long TICKS_PER_SECOND = 100;

    static long rssKb(long pid) throws IOException {
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
