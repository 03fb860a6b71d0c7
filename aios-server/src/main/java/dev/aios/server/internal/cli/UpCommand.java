package dev.aios.server.internal.cli;

import dev.aios.api.KnowledgeRecord;
import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.LoadReport;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelsExtension;
import dev.aios.policy.PolicyException;
import dev.aios.policy.PolicyExtension;
import dev.aios.server.ApiServer;
import dev.aios.server.internal.AiosConfig;
import dev.aios.server.internal.WeeklyReview;
import dev.aios.server.internal.backup.BackupSchedule;
import dev.aios.server.internal.console.Console;
import dev.aios.server.internal.console.LiveFeed;
import dev.aios.server.internal.console.LocalAccess;
import dev.aios.server.internal.console.TokenAccess;
import dev.aios.server.internal.http.ConnectorRoutes;
import dev.aios.server.internal.http.CostRoutes;
import dev.aios.server.internal.http.DigestRoutes;
import dev.aios.server.internal.http.McpRoutes;
import dev.aios.server.internal.http.MemoryRoutes;
import dev.aios.server.internal.http.MetricsRoutes;
import dev.aios.server.internal.http.PolicyRoutes;
import dev.aios.server.internal.http.WebhookRoutes;
import dev.aios.server.internal.logs.Logging;
import dev.aios.server.internal.metrics.Metrics;
import dev.aios.server.internal.trace.Tracing;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aios up}: starts the kernel and the HTTP API and keeps them running until Ctrl-C. */
@Command(name = "up", description = "Starts aios: the kernel and the HTTP API, until Ctrl-C.")
final class UpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "where the database lives (default: $AIOS_DATA, else ./data)")
    Path data;

    @Option(
            names = "--db",
            paramLabel = "URL",
            description = "keep everything in this PostgreSQL database (jdbc:postgresql://host/db; user and password"
                    + " from $AIOS_DB_USER and $AIOS_DB_PASSWORD) instead of the SQLite file in the data directory;"
                    + " several aios processes may share one (default: $AIOS_DB, else store.url in aios.yaml)")
    String db;

    @Option(names = "--port", paramLabel = "N", description = "the HTTP port (default: $AIOS_PORT, else 7070)")
    Integer port;

    @Option(
            names = "--host",
            paramLabel = "HOST",
            description = "the interface to listen on; 0.0.0.0 for all (default: $AIOS_HOST, else loopback only)")
    String host;

    @Option(
            names = "--insecure-behind-proxy",
            description = "serve plain HTTP on a --host other than loopback, because a reverse proxy in front"
                    + " terminates TLS")
    boolean insecureBehindProxy;

    @Option(
            names = "--playbooks",
            paramLabel = "DIR",
            description = "where YAML playbooks are loaded from (default: $AIOS_PLAYBOOKS, else ./playbooks)")
    Path playbooks;

    @Option(names = "--no-examples", description = "do not load the playbooks bundled on the class path")
    boolean noExamples;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "the settings file (default: $AIOS_CONFIG, else ./aios.yaml if it exists)")
    Path config;

    /** Whether the API is served over HTTPS (server.tls). */
    private boolean https;

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            description =
                    "text, or json for log shippers: one JSON object a line (default: $AIOS_LOG_FORMAT, else text)")
    String logFormat;

    @Override
    public Integer call() throws InterruptedException {
        // Registered before anything starts: a Ctrl-C or SIGTERM while aios starts (which may take
        // seconds after a crash) waits for the start to end, then stops what it started, as after it.
        var stopper = new Stopper();
        Runtime.getRuntime().addShutdownHook(new Thread(stopper::run, "aios-shutdown"));
        try {
            return serve(stopper);
        } finally {
            // The start failed (what it had started is closed) or the wait ended: nothing to stop.
            stopper.settled(() -> {});
        }
    }

    /**
     * The shutdown hook's work. A stop asked for while aios starts waits, at most {@link #STOP_LIMIT},
     * for the start to end, then stops what it started; one asked for later stops at once.
     */
    private static final class Stopper {
        private final CountDownLatch settled = new CountDownLatch(1);
        private volatile Runnable stop = () -> {};
        private volatile boolean asked;

        void run() {
            asked = true;
            try {
                if (!settled.await(STOP_LIMIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    // Still starting: ending now is a crash, which the next start resumes from.
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            stop.run();
        }

        /** The start ended: {@code stop} stops what it started (nothing when it failed). */
        void settled(Runnable stop) {
            if (settled.getCount() > 0) {
                this.stop = stop;
                settled.countDown();
            }
        }

        /** Whether a stop was asked for. */
        boolean asked() {
            return asked;
        }
    }

    private Integer serve(Stopper stopper) throws InterruptedException {
        try {
            var format = logFormat != null
                    ? logFormat
                    : AiosCommand.environment(spec, "AIOS_LOG_FORMAT").orElse("text");
            Logging.use(Logging.Format.named(format));
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
        var dataDirectory = setting(data, "AIOS_DATA", "data");
        var playbookDirectory = setting(playbooks, "AIOS_PLAYBOOKS", "playbooks");
        int httpPort = port();
        var listenOn = host != null
                ? host
                : AiosCommand.environment(spec, "AIOS_HOST")
                        .orElse(InetAddress.getLoopbackAddress().getHostAddress());

        try {
            ApiServer.checkCanListen(listenOn, httpPort);
        } catch (RuntimeException e) {
            throw new CliException(CliException.FAILED, e.getMessage());
        }
        var settings = settings();
        var tls = tls(settings);
        var mcpLimits = mcpSessions(settings);
        https = tls.isPresent();
        if (tls.isEmpty() && !insecureBehindProxy && !isLoopback(listenOn)) {
            throw new CliException(
                    CliException.USAGE,
                    "aios will not listen on " + listenOn + " in plain HTTP: tokens would cross the network in"
                            + " clear. Configure server.tls (cert and key, PEM files) in aios.yaml, or pass"
                            + " --insecure-behind-proxy when a reverse proxy in front of it terminates TLS");
        }
        Optional<BackupSchedule.Settings> backups;
        try {
            backups = BackupSchedule.Settings.of(settings.section("backup"));
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    CliException.USAGE, settings.file().map(f -> f + ": ").orElse("") + e.getMessage());
        }
        // The web server's classes load on the second core while the main thread builds the kernel.
        ApiServer.prepareBeside();
        var models = new ModelsExtension(models(settings));
        var memory = MemoryExtension.of(memorySettings(settings));
        var connectors = new ConnectorsExtension(
                        connectorSettings(settings), name -> AiosCommand.environment(spec, name))
                .rememberAttachmentsIn(memory::memory);
        var policy = PolicyExtension.builder()
                .settings(settings.section("policy"))
                .knowledge(id -> memory.memory().get(id).map(KnowledgeRecord::content))
                .shadowEffects(models.settings().providers().keySet())
                .emailThrough("send-email")
                .memory(() -> java.util.Optional.of(memory.memory()))
                .build();
        models.guard(policy.promptGuard()).spendLimits(policy.spendLimits());
        Optional<io.opentelemetry.sdk.OpenTelemetrySdk> tracing;
        try {
            tracing = Tracing.configure(
                    settings.section("tracing"), AiosCommand.environment(spec), AiosCommand.Version.version());
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    CliException.USAGE, settings.file().map(f -> f + ": ").orElse("") + e.getMessage());
        }
        var metrics = new Metrics(InstantSource.system());
        var live = new LiveFeed();
        dev.aios.kernel.MasterKeySource masterKey;
        try {
            masterKey = dev.aios.kernel.MasterKeySource.of(AiosCommand.environment(spec))
                    .withKeyringSetting(settings.keyring());
        } catch (IllegalArgumentException | dev.aios.kernel.InvalidInputException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
        var builder = Kernel.builder()
                .dataDirectory(dataDirectory)
                .masterKey(masterKey)
                .limits(limits(settings))
                .meterRegistry(metrics.registry())
                .whenBroken(UpCommand::exitBroken)
                .discoverAgents()
                .extension(models)
                .extension(memory)
                .extension(connectors)
                .extension(policy)
                .extension(live);
        tracing.ifPresent(builder::openTelemetry);
        var database = database(settings);
        database.ifPresent(builder::database);
        if (database.isPresent() && backups.isPresent()) {
            throw new CliException(
                    CliException.USAGE,
                    settings.file().map(f -> f + ": ").orElse("") + "backup: " + Modules.PG_DUMP
                            + "; remove the backup section when aios runs on PostgreSQL");
        }
        settings.connectors().forEach(builder::connector);
        if (!noExamples) {
            builder.discoverPlaybooks();
        }
        Kernel kernel;
        try {
            kernel = builder.playbookDirectory(playbookDirectory).build();
        } catch (PolicyException e) {
            throw new CliException(
                    CliException.USAGE,
                    settings.file().map(f -> f + ": policy: ").orElse("") + e.getMessage());
        } catch (IllegalArgumentException e) {
            // a setting only an extension can judge, e.g. a webhook source's CEL
            throw new CliException(
                    CliException.USAGE, settings.file().map(f -> f + ": ").orElse("") + e.getMessage());
        }
        ApiServer server;
        var access = new LocalAccess(InstantSource.system());
        try {
            connectors.startMail();
            metrics.watch(kernel);
            metrics.watch(memory);
            connectors.startDeliveries();
            var serverBuilder = ApiServer.builder(kernel)
                    .host(listenOn)
                    .port(httpPort)
                    .hosts(hosts(settings))
                    .insecureBehindProxy(insecureBehindProxy);
            tls.ifPresent(serverBuilder::tls);
            server = serverBuilder
                    .routes(
                            new CostRoutes(models),
                            new MemoryRoutes(kernel, memory, InstantSource.system()),
                            new McpRoutes(kernel, memory, InstantSource.system(), mcpLimits),
                            new WebhookRoutes(kernel, connectors),
                            new ConnectorRoutes(connectors),
                            new PolicyRoutes(policy, kernel),
                            new MetricsRoutes(metrics),
                            new DigestRoutes(new WeeklyReview(kernel, models, InstantSource.system())),
                            new Console(
                                    kernel,
                                    live,
                                    models,
                                    memory,
                                    new TokenAccess(kernel.tokens(), access),
                                    InstantSource.system()))
                    .start();
        } catch (RuntimeException e) {
            kernel.close();
            throw new CliException(CliException.FAILED, e.getMessage());
        }
        // Answering first: after a restart that finds thousands of timers due, /health and the API
        // answer at once while the workers move those runs on behind them.
        try {
            kernel.start();
        } catch (RuntimeException e) {
            server.close();
            kernel.close();
            throw new CliException(CliException.FAILED, e.getMessage());
        }
        var schedule = backups.map(backup -> new BackupSchedule(
                        dataDirectory, settings.file(), backup, AiosCommand.Version.version(), InstantSource.system())
                .start());
        var out = spec.commandLine().getOut();
        if (!stopper.asked()) {
            var traces =
                    tracing.map(sdk -> Tracing.describe(settings.section("tracing"), AiosCommand.environment(spec)));
            printBanner(
                    out,
                    kernel,
                    server.port(),
                    listenOn,
                    playbookDirectory,
                    models.settings(),
                    access,
                    backups,
                    traces);
            // Once requests are answered: the JVM's management beans are slow to read the first time.
            metrics.watchJvm();
        }
        stopper.settled(() -> {
            schedule.ifPresent(BackupSchedule::close);
            stop(server, kernel, out);
            // The spans of the last steps go out before the process ends.
            tracing.ifPresent(sdk -> sdk.shutdown().join(5, java.util.concurrent.TimeUnit.SECONDS));
        });
        // Never released: the process ends through the shutdown hook (Ctrl-C, SIGTERM).
        new CountDownLatch(1).await();
        return 0;
    }

    /** Exit code when the kernel cannot go on (EX_SOFTWARE). */
    static final int BROKEN = 70;

    /** The longest a stop may take before the process ends without finishing it. */
    private static final java.time.Duration STOP_LIMIT = java.time.Duration.ofSeconds(20);

    /**
     * Stops the API and the kernel, within {@link #STOP_LIMIT}: what is still unfinished then is
     * left to the next start (a run resumes where its journal says), rather than a hung process.
     */
    private static void stop(ApiServer server, Kernel kernel, PrintWriter out) {
        var stopping = Thread.ofPlatform().name("aios-stopping").start(() -> {
            try {
                server.close();
            } finally {
                kernel.close();
            }
        });
        try {
            stopping.join(STOP_LIMIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopping.isAlive()) {
            out.println("stopping took longer than " + STOP_LIMIT.toSeconds()
                    + " s; ending now (the next start resumes what was in flight)");
            out.flush();
            Runtime.getRuntime().halt(BROKEN);
        }
        out.println("stopped");
        out.flush();
    }

    /** The kernel cannot record anything any more: say why and end the process with an error. */
    private static void exitBroken(String reason) {
        System.err.println("aios cannot go on: " + reason + "; exiting (start it again to resume)");
        System.err.flush();
        // Not on the kernel's thread: exiting runs the shutdown hook, which closes the kernel.
        Thread.ofPlatform().name("aios-exit").start(() -> System.exit(BROKEN));
    }

    private void printBanner(
            PrintWriter out,
            Kernel kernel,
            int boundPort,
            String listenOn,
            Path playbookDirectory,
            ModelSettings models,
            LocalAccess access,
            Optional<BackupSchedule.Settings> backups,
            Optional<String> traces) {
        out.println("aios " + AiosCommand.Version.version() + " is up at " + baseUrl(listenOn, boundPort));
        if (!isLoopback(listenOn)) {
            out.println("  exposed    listening on " + listenOn
                    + (https
                            ? " over TLS"
                            : " in plain HTTP, for a reverse proxy that terminates TLS (--insecure-behind-proxy)")
                    + "; every request needs a token");
        }
        out.println("  data       " + kernel.dataDirectory().toAbsolutePath().normalize());
        kernel.database().ifPresent(url -> out.println("  database   " + url));
        out.println("  master key " + kernel.masterKeyOrigin());
        LoadReport load = kernel.lastLoad();
        if (load.loaded().isEmpty()) {
            out.println("  playbooks  none loaded; put YAML playbooks in "
                    + playbookDirectory.toAbsolutePath().normalize());
        }
        var label = "  playbooks  ";
        for (var playbook : load.loaded()) {
            out.println(label + Text.versioned(playbook.name(), playbook.version()) + "  " + playbook.source());
            label = "             ";
        }
        var agents = kernel.agents().stream()
                .map(agent -> agent.name() + "@" + agent.version())
                .toList();
        out.println("  agents     " + (agents.isEmpty() ? "none registered" : String.join(", ", agents)));
        label = "  refused    ";
        for (var problem : load.refused()) {
            out.println(label + problem);
            label = "             ";
        }
        out.println("  models     " + modelsLine(models));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            // The launcher passes the module to `aios up`; the JVM warns about it once, above the banner.
            out.println("  vectors    SIMD through Java's incubating Vector API"
                    + " (the JVM's \"Using incubator modules\" warning at start is expected)");
        }
        backups.ifPresent(backup -> out.println(
                "  backups    every " + backup.every().toString().substring(2).toLowerCase(java.util.Locale.ROOT)
                        + " to " + backup.directory().toAbsolutePath().normalize() + ", keeping " + backup.keep()));
        traces.ifPresent(where -> out.println("  traces     " + where));
        kernel.adminTokenFile()
                .ifPresent(file -> out.println("  token      a first admin token was written to "
                        + file.toAbsolutePath().normalize()
                        + " (readable by you only); the command line finds it there"));
        out.println("  console    " + baseUrl(listenOn, boundPort) + "/login?code=" + access.oneTimeCode()
                + "  (one-time sign-in link, valid " + LocalAccess.LINK_LIFETIME.toMinutes() + " minutes)");
        out.println("Ctrl-C stops it.");
        out.flush();
    }

    private String baseUrl(String listenOn, int port) {
        var shownHost = listenOn.equals("0.0.0.0") || isLoopback(listenOn) ? "localhost" : listenOn;
        return (https ? "https" : "http") + "://" + shownHost + ":" + port;
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            throw new CliException(CliException.USAGE, "--host " + host + ": no such host or address");
        }
    }

    /** TLS: server.tls. */
    private static Optional<dev.aios.server.Tls> tls(AiosConfig settings) {
        try {
            return settings.tls();
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
    }

    /** The shared database: --db, else $AIOS_DB, else store.url; empty for the SQLite file. */
    private Optional<String> database(AiosConfig settings) {
        try {
            var url = db != null
                    ? Optional.of(db)
                    : AiosCommand.environment(spec, "AIOS_DB")
                            .filter(value -> !value.isBlank())
                            .or(settings::storeUrl);
            if (url.isPresent() && !url.get().startsWith("jdbc:postgresql:")) {
                throw new CliException(
                        CliException.USAGE,
                        "--db must be a jdbc:postgresql: URL, e.g. jdbc:postgresql://localhost/aios; leave it out"
                                + " for the SQLite file in the data directory");
            }
            return url;
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
    }

    /** The settings file: --config, else $AIOS_CONFIG, else ./aios.yaml when it exists. */
    private AiosConfig settings() {
        var file = config != null
                ? Optional.of(config)
                : AiosCommand.environment(spec, "AIOS_CONFIG").map(Path::of);
        try {
            if (file.isPresent()) {
                return AiosConfig.load(file.get());
            }
            var fallback = Path.of("aios.yaml");
            return Files.isRegularFile(fallback) ? AiosConfig.load(fallback) : AiosConfig.empty();
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
    }

    private static String modelsLine(ModelSettings models) {
        if (models.classes().isEmpty()) {
            return "none configured: prompt steps become drafts for you to finish"
                    + " (set OPENAI_API_KEY, OPENAI_BASE_URL or ANTHROPIC_API_KEY to have them written)";
        }
        return new java.util.TreeMap<>(models.classes())
                .entrySet().stream()
                        .map(entry -> entry.getKey() + " = " + entry.getValue())
                        .collect(java.util.stream.Collectors.joining(", "));
    }

    /** The kernel's limits: the kernel section. */
    private static dev.aios.kernel.Limits limits(AiosConfig settings) {
        try {
            return settings.limits();
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
    }

    /** How the MCP endpoint's sessions are bounded: server.mcp. */
    private static McpRoutes.SessionLimits mcpSessions(AiosConfig settings) {
        try {
            return settings.mcpSessions();
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
    }

    /** The names aios is reached under: server.hosts. */
    private static java.util.List<String> hosts(AiosConfig settings) {
        try {
            return settings.hosts();
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
    }

    /** The connectors' settings: sources and the other connector sections. */
    private static ConnectorSettings connectorSettings(AiosConfig settings) {
        try {
            return ConnectorSettings.read(settings::section);
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    CliException.USAGE, settings.file().map(f -> f + ": ").orElse("") + e.getMessage());
        }
    }

    /** Memory's settings: the memory section. */
    private static MemorySettings memorySettings(AiosConfig settings) {
        try {
            return MemorySettings.from(settings.section("memory"));
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    CliException.USAGE, settings.file().map(f -> f + ": ").orElse("") + e.getMessage());
        }
    }

    /** The model gateway's settings: the models section and OPENAI_* / ANTHROPIC_* variables. */
    private ModelSettings models(AiosConfig settings) {
        try {
            return ModelSettings.read(settings.section("models"), name -> AiosCommand.environment(spec, name));
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    CliException.USAGE, settings.file().map(f -> f + ": ").orElse("") + e.getMessage());
        }
    }

    private Path setting(Path flag, String variable, String fallback) {
        if (flag != null) {
            return flag;
        }
        return Path.of(AiosCommand.environment(spec, variable).orElse(fallback));
    }

    private int port() {
        int value;
        if (port != null) {
            value = port;
        } else {
            var fromEnvironment = AiosCommand.environment(spec, "AIOS_PORT").orElse("7070");
            try {
                value = Integer.parseInt(fromEnvironment.trim());
            } catch (NumberFormatException e) {
                throw new CliException(
                        CliException.USAGE,
                        "AIOS_PORT must be a port number such as 7070, was '" + fromEnvironment + "'");
            }
        }
        if (value < 0 || value > 65535) {
            throw new CliException(CliException.USAGE, "--port must be between 0 and 65535, was " + value);
        }
        return value;
    }
}
