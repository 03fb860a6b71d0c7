package dev.aios.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * An aios server running as a real child JVM ({@code Main up --data DIR --port P}), for tests that
 * need what only a separate process gives: kill -9 in the middle of a run, a restart on the same
 * data directory, a clean SIGTERM.
 *
 * <p>The child's stdout and stderr are copied to a log file (restarts append to it); every failure this
 * class reports quotes the log's tail. A server still running when the test JVM exits is killed.
 *
 * <pre>{@code
 * try (var server = ServerProcess.builder(tempDir).start()) {
 *     server.http().post("/api/events", "{...}").expect(202);
 *     server.killHard();
 *     server.restart();
 * }
 * }</pre>
 */
public final class ServerProcess implements AutoCloseable {
    /** The aios command line's main class. */
    public static final String AIOS_MAIN = "dev.aios.server.Main";

    private static final int TAIL_LINES = 40;
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "server-process-reaper"));
    }

    private final Settings settings;
    private final int port;
    private final HttpClient health =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private Process process;
    private Thread logCopier;
    private long outputStart;
    private int starts;

    private ServerProcess(Settings settings, int port) {
        this.settings = settings;
        this.port = port;
    }

    /**
     * Options for a server whose files live in {@code directory} (e.g. a JUnit {@code @TempDir}): the
     * data directory {@code data/} and the log {@code server.log}.
     */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** Where the server listens, e.g. {@code http://127.0.0.1:41234}; the same across restarts. */
    public String baseUrl() {
        var host = InetAddress.getLoopbackAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The HTTP port, the same across restarts. */
    public int port() {
        return port;
    }

    /**
     * A JSON client for {@link #baseUrl()}, sending the admin token the data directory got on its
     * first start (once the server wrote it).
     */
    public Http http() {
        var http = Http.to(baseUrl());
        return adminToken().map(http::withToken).orElse(http);
    }

    /** The admin token in the data directory's {@code admin.token}, once the server wrote it. */
    public Optional<String> adminToken() {
        var file = settings.dataDirectory().resolve("admin.token");
        try {
            return Files.isReadable(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The process id of the current (or last) server process. */
    public long pid() {
        return process.pid();
    }

    /** Whether the server process is running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The data directory the server runs on. */
    public Path dataDirectory() {
        return settings.dataDirectory();
    }

    /** The file the server's stdout and stderr go to, across restarts. */
    public Path logFile() {
        return settings.logFile();
    }

    /** What the current (or last) server process printed, stdout and stderr interleaved. */
    public String output() {
        try {
            var all = Files.readAllBytes(settings.logFile());
            int from = (int) Math.min(outputStart, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(could not read " + settings.logFile() + ": " + e + ")";
        }
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    public String logTail(int lines) {
        var all = readLog().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /**
     * Kills the server with SIGKILL, as a crash or {@code kill -9} would, and waits until it is gone.
     *
     * @throws AssertionError if the process is still alive ten seconds later
     */
    public void killHard() {
        // Through the handle, so that what the child printed before it died still reaches the log.
        process.toHandle().destroyForcibly();
        awaitExit(Duration.ofSeconds(10), "after SIGKILL");
    }

    /**
     * Stops the server with SIGTERM, as Ctrl-C or a service manager would, and waits for it to exit.
     *
     * @return the exit code: 0, or 143 when the JVM reports the signal
     * @throws AssertionError if it has not exited within the builder's stop timeout (it is then killed)
     */
    public int stop() {
        // Through the handle: Process.destroy() would also close the pipe the child's last words
        // ("stopped") come through.
        process.toHandle().destroy();
        return awaitExit(settings.stopTimeout(), "after SIGTERM");
    }

    /**
     * Starts the server again on the same data directory and port, and waits until it answers. A
     * server still running is stopped first (SIGTERM).
     *
     * @return this
     */
    public ServerProcess restart() {
        if (process.isAlive()) {
            stop();
        }
        launch();
        return this;
    }

    /** Kills the server if it is still running. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (process != null && !process.isAlive()) {
            LIVE.remove(process);
            awaitLogCopied();
        }
    }

    /** A failure message ending with the log's tail. */
    public String explain(String message) {
        return message + "\n--- last lines of " + settings.logFile() + " ---\n" + logTail(TAIL_LINES);
    }

    private void launch() {
        starts++;
        var command = command();
        try {
            Files.createDirectories(settings.logFile().toAbsolutePath().getParent());
            Files.writeString(
                    settings.logFile(),
                    "=== start " + starts + " at " + Instant.now() + ": " + String.join(" ", command) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            outputStart = Files.size(settings.logFile());
            var builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(settings.environment());
            process = builder.start();
            process.getOutputStream().close();
            logCopier = copyToLog(process.getInputStream(), settings.logFile());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + String.join(" ", command) + ": " + e, e);
        }
        LIVE.add(process);
        awaitHealthy();
    }

    /**
     * Copies the child's output into the log from this JVM rather than letting the child write the
     * file itself, so that what it prints is kept even while a test limits the child's file writes
     * (e.g. {@code prlimit --fsize}) to make its database fail.
     */
    private static Thread copyToLog(InputStream output, Path logFile) {
        return Thread.ofPlatform().daemon().name("server-log-copier").start(() -> {
            try (output;
                    var log = Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                var buffer = new byte[8192];
                int n;
                while ((n = output.read(buffer)) >= 0) {
                    log.write(buffer, 0, n);
                    log.flush();
                }
            } catch (IOException e) {
                // The child is gone or the log cannot be written; there is nothing more to copy.
            }
        });
    }

    /** Waits until everything the exited child printed is in the log. */
    private void awaitLogCopied() {
        if (logCopier == null) {
            return;
        }
        try {
            logCopier.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> command() {
        var java = ProcessHandle.current().info().command().orElseGet(() -> Path.of(
                        System.getProperty("java.home"), "bin", "java")
                .toString());
        var command = new ArrayList<String>();
        command.add(java);
        command.addAll(settings.jvmOptions());
        command.add("@" + classpathFile());
        command.add(settings.mainClass());
        command.add("up");
        command.add("--data");
        command.add(settings.dataDirectory().toString());
        command.add("--port");
        command.add(Integer.toString(port));
        command.addAll(settings.arguments());
        return command;
    }

    /** The class path goes in an argument file: a long one would not fit on a command line. */
    private Path classpathFile() {
        var file = settings.logFile().resolveSibling(settings.logFile().getFileName() + ".classpath");
        var quoted = "\"" + settings.classpath().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        try {
            Files.writeString(file, "-cp\n" + quoted + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + ": " + e, e);
        }
        return file;
    }

    private void awaitHealthy() {
        var request = HttpRequest.newBuilder(URI.create(baseUrl() + "/health"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                LIVE.remove(process);
                awaitLogCopied();
                throw new AssertionError(explain("the server (pid " + process.pid() + ") exited with code "
                        + process.exitValue() + " before answering GET /health"));
            }
            try {
                var response = health.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = "answered " + response.statusCode() + ": " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new AssertionError("interrupted while waiting for the server to start", e);
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new AssertionError("interrupted while waiting for the server to start", e);
            }
        }
        close();
        throw new AssertionError(explain("the server did not answer GET " + baseUrl() + "/health with 200 within "
                + settings.startupTimeout() + " (" + last + "); it was killed"));
    }

    private int awaitExit(Duration timeout, String after) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(
                        explain("the server (pid " + process.pid() + ") was still running " + timeout + " " + after));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the server to exit", e);
        }
        if (ProcessHandle.of(process.pid()).map(ProcessHandle::isAlive).orElse(false)) {
            throw new AssertionError(explain("pid " + process.pid() + " is still alive " + after));
        }
        LIVE.remove(process);
        awaitLogCopied();
        return process.exitValue();
    }

    private String readLog() {
        try {
            return Files.exists(settings.logFile()) ? Files.readString(settings.logFile(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(could not read " + settings.logFile() + ": " + e + ")";
        }
    }

    private static int freePort() {
        try (var socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface: " + e, e);
        }
    }

    private static List<String> defaultJvmOptions() {
        var jvmOptions =
                new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"));
        // protobuf (under CEL) still uses sun.misc.Unsafe; JDK 23+ warns about it unless allowed.
        if (Runtime.version().feature() >= 23) {
            jvmOptions.add("--sun-misc-unsafe-memory-access=allow");
        }
        return jvmOptions;
    }

    /** What a {@link Builder} settled on, fixed for the server's restarts. */
    private record Settings(
            Path dataDirectory,
            Path logFile,
            String mainClass,
            String classpath,
            List<String> jvmOptions,
            List<String> arguments,
            Map<String, String> environment,
            Duration startupTimeout,
            Duration stopTimeout) {}

    /** How to start a {@link ServerProcess}; every setting has a default. */
    public static final class Builder {
        private Path dataDirectory;
        private Path logFile;
        private String mainClass = AIOS_MAIN;
        private String classpath = System.getProperty("java.class.path");
        private List<String> jvmOptions = defaultJvmOptions();
        private List<String> arguments = List.of();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Optional<Integer> port = Optional.empty();
        private Duration startupTimeout = Duration.ofMinutes(3);
        private Duration stopTimeout = Duration.ofSeconds(30);

        private Builder(Path directory) {
            this.dataDirectory = directory.resolve("data");
            this.logFile = directory.resolve("server.log");
        }

        /** The data directory ({@code --data}); default {@code data/} in the builder's directory. */
        public Builder dataDirectory(Path directory) {
            this.dataDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Where stdout and stderr go; default {@code server.log} in the builder's directory. */
        public Builder logFile(Path file) {
            this.logFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /** The class with the {@code main} method; default {@link #AIOS_MAIN}. */
        public Builder mainClass(String name) {
            this.mainClass = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The child's class path; default this JVM's {@code java.class.path}. */
        public Builder classpath(String classpath) {
            this.classpath = Objects.requireNonNull(classpath, "classpath");
            return this;
        }

        /**
         * JVM options before the class path; default {@code --enable-native-access=ALL-UNNAMED}, {@code
         * --add-modules jdk.incubator.vector} (and on JDK 23+ {@code --sun-misc-unsafe-memory-access=allow}),
         * as {@code ./aios up} uses.
         */
        public Builder jvmOptions(String... options) {
            this.jvmOptions = List.of(options);
            return this;
        }

        /** Arguments after {@code up --data DIR --port P}, e.g. {@code --no-examples}. */
        public Builder arguments(String... arguments) {
            this.arguments = List.of(arguments);
            return this;
        }

        /**
         * Sets an environment variable of the child, on top of this JVM's environment: e.g. where a
         * test's fake outside service listens, for agents on the child's class path to read.
         */
        public Builder environment(String name, String value) {
            environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The HTTP port; default a port free on the loopback interface when {@link #start()} runs. */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
            }
            this.port = Optional.of(port);
            return this;
        }

        /** How long a start may take until {@code GET /health} answers 200; default 3 minutes. */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = positive(timeout, "startupTimeout");
            return this;
        }

        /** How long {@link ServerProcess#stop()} waits after SIGTERM; default 30 s. */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = positive(timeout, "stopTimeout");
            return this;
        }

        /**
         * Starts the server and waits until it answers {@code GET /health} with 200.
         *
         * @throws AssertionError with the log's tail when it exits or does not answer in time
         */
        public ServerProcess start() {
            var settings = new Settings(
                    dataDirectory,
                    logFile,
                    mainClass,
                    classpath,
                    List.copyOf(jvmOptions),
                    List.copyOf(arguments),
                    Map.copyOf(environment),
                    startupTimeout,
                    stopTimeout);
            var server = new ServerProcess(settings, port.orElseGet(ServerProcess::freePort));
            server.launch();
            return server;
        }

        private static Duration positive(Duration timeout, String name) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + timeout);
            }
            return timeout;
        }
    }
}
