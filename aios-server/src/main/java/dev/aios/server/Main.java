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
    /**
     * Lucene tells, through java.util.logging, that the incubating Vector API is not enabled;
     * aios runs well without it, so the notice is kept out of the operator's console.
     */
    private static final java.util.logging.Logger VECTOR_NOTICE =
            java.util.logging.Logger.getLogger("org.apache.lucene.internal.vectorization");

    private Main() {}

    /** Runs the command named by {@code args} and exits with its code. */
    public static void main(String[] args) {
        VECTOR_NOTICE.setLevel(java.util.logging.Level.SEVERE);
        System.exit(commandLine(System.getenv()).execute(args));
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
