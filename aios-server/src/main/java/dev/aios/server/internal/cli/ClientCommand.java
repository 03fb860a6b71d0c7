package dev.aios.server.internal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.server.internal.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A command that talks to a running aios server over its HTTP API. */
abstract class ClientCommand implements Callable<Integer> {
    private static final String DEFAULT_PORT = "7070";

    @Spec
    CommandSpec spec;

    @Option(
            names = "--server",
            paramLabel = "URL",
            description = "the aios server (default: $AIOS_URL, else http://localhost:$AIOS_PORT, port 7070)")
    String server;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description = "the API token (default: $AIOS_TOKEN, else the admin token in $AIOS_DATA or ./data)")
    String token;

    @Option(
            names = "--cacert",
            paramLabel = "FILE",
            description = "trust the certificates in this PEM file for an https server, e.g. its own self-signed"
                    + " certificate (default: $AIOS_CACERT, else the system's trusted authorities)")
    String cacert;

    @Override
    public final Integer call() {
        if (offline()) {
            return runOffline();
        }
        var trusted = cacert != null && !cacert.isBlank()
                ? java.util.Optional.of(cacert)
                : AiosCommand.environment(spec, "AIOS_CACERT").filter(v -> !v.isBlank());
        run(ServerClient.forUrl(serverUrl(), token(), trusted.map(java.nio.file.Path::of)));
        out().flush();
        return 0;
    }

    /** Whether the command works without the server this time (e.g. on a data directory). */
    boolean offline() {
        return false;
    }

    /** The work done when {@link #offline()}. */
    Integer runOffline() {
        throw new IllegalStateException("no offline work");
    }

    /**
     * The token to send: {@code --token}, else {@code AIOS_TOKEN}, else the admin token a fresh data
     * directory got ({@code admin.token} in {@code AIOS_DATA} or {@code ./data}) when this user can
     * read it.
     */
    private java.util.Optional<String> token() {
        if (token != null && !token.isBlank()) {
            return java.util.Optional.of(token.strip());
        }
        var fromEnvironment = AiosCommand.environment(spec, "AIOS_TOKEN");
        if (fromEnvironment.isPresent()) {
            return fromEnvironment.map(String::strip);
        }
        var file = java.nio.file.Path.of(
                        AiosCommand.environment(spec, "AIOS_DATA").orElse("data"))
                .resolve(dev.aios.kernel.Kernel.ADMIN_TOKEN_FILE);
        try {
            return java.nio.file.Files.isReadable(file)
                    ? java.util.Optional.of(java.nio.file.Files.readString(file).strip())
                    : java.util.Optional.empty();
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** Does the command's work against the server. */
    abstract void run(ServerClient client);

    /** Where the command's output goes. */
    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints {@code json} as indented JSON, for {@code --json}. */
    final void printJson(JsonNode json) {
        try {
            out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an answer could not be printed as JSON", e);
        }
    }

    /** Parses a JSON option's value, refusing it (exit 2) before anything is sent. */
    static JsonNode parseJsonOption(String option, String value) {
        try {
            return Json.mapper()
                    .reader()
                    .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readTree(value);
        } catch (JsonProcessingException e) {
            throw new CliException(
                    CliException.USAGE,
                    option + " is not valid JSON: " + e.getOriginalMessage() + " (was '" + value + "')");
        }
    }

    private String serverUrl() {
        if (server != null && !server.isBlank()) {
            return server;
        }
        return AiosCommand.environment(spec, "AIOS_URL")
                .orElseGet(() -> "http://localhost:"
                        + AiosCommand.environment(spec, "AIOS_PORT").orElse(DEFAULT_PORT));
    }
}
