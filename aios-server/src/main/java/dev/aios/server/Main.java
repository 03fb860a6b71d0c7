package dev.aios.server;

import dev.aios.server.internal.cli.AiosCommand;
import java.util.Map;
import picocli.CommandLine;

/**
 * The {@code aios} command line: {@code aios up} starts the kernel and the HTTP API; the other
 * commands talk to a running aios ({@code --server}, {@code AIOS_URL}) or, for {@code admin},
 * work on a stopped data directory.
 */
public final class Main {
    private Main() {}

    /** Runs the command named by {@code args} and exits with its code. */
    public static void main(String[] args) {
        // Lucene logs through java.util.logging: its lines go where every other line goes.
        dev.aios.server.internal.logs.Logging.routeJavaUtilLogging();
        System.exit(AiosCommand.commandLineFor(java.util.List.of(args), System.getenv())
                .execute(args));
    }

    /**
     * The command line, for running commands in-process.
     *
     * @param environment where defaults come from: {@code AIOS_DATA}, {@code AIOS_PORT}, {@code
     *     AIOS_PLAYBOOKS}, {@code AIOS_URL}
     */
    public static CommandLine commandLine(Map<String, String> environment) {
        return AiosCommand.commandLine(environment);
    }
}
