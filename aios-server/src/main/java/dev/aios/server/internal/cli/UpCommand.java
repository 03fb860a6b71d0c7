package dev.aios.server.internal.cli;

import dev.aios.kernel.Kernel;
import dev.aios.kernel.LoadReport;
import dev.aios.server.ApiServer;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
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

    @Option(names = "--port", paramLabel = "N", description = "the HTTP port (default: $AIOS_PORT, else 7070)")
    Integer port;

    @Option(
            names = "--host",
            paramLabel = "HOST",
            description = "the interface to listen on; 0.0.0.0 for all (default: $AIOS_HOST, else loopback only)")
    String host;

    @Option(
            names = "--playbooks",
            paramLabel = "DIR",
            description = "where YAML playbooks are loaded from (default: $AIOS_PLAYBOOKS, else ./playbooks)")
    Path playbooks;

    @Option(names = "--no-examples", description = "do not load the playbooks bundled on the class path")
    boolean noExamples;

    @Override
    public Integer call() throws InterruptedException {
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
        var builder = Kernel.builder().dataDirectory(dataDirectory).discoverAgents();
        if (!noExamples) {
            builder.discoverPlaybooks();
        }
        var kernel = builder.playbookDirectory(playbookDirectory).build();
        ApiServer server;
        try {
            kernel.start();
            server = ApiServer.start(kernel, listenOn, httpPort);
        } catch (RuntimeException e) {
            kernel.close();
            throw new CliException(CliException.FAILED, e.getMessage());
        }
        var out = spec.commandLine().getOut();
        printBanner(out, kernel, server.port(), listenOn, playbookDirectory);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server, kernel, out), "aios-shutdown"));
        // Never released: the process ends through the shutdown hook (Ctrl-C, SIGTERM).
        new CountDownLatch(1).await();
        return 0;
    }

    private static void stop(ApiServer server, Kernel kernel, PrintWriter out) {
        try {
            server.close();
        } finally {
            kernel.close();
            out.println("stopped");
            out.flush();
        }
    }

    private void printBanner(PrintWriter out, Kernel kernel, int boundPort, String listenOn, Path playbookDirectory) {
        var shownHost = listenOn.equals("0.0.0.0") || isLoopback(listenOn) ? "localhost" : listenOn;
        out.println("aios " + AiosCommand.Version.version() + " is up at http://" + shownHost + ":" + boundPort);
        out.println("  data       " + kernel.dataDirectory().toAbsolutePath().normalize());
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
        out.println("Ctrl-C stops it.");
        out.flush();
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
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
