package dev.aios.server.internal.cli;

import dev.aios.server.internal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aios secret set|list|delete}: named secrets that settings and playbooks refer to. */
@Command(
        name = "secret",
        description = "Sets, lists and deletes named secrets (stored encrypted under the master key; values are"
                + " never shown).",
        subcommands = {
            SecretCommand.Set.class,
            SecretCommand.List.class,
            SecretCommand.Delete.class,
            CommandLine.HelpCommand.class
        })
final class SecretCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a secret command: set, list or delete");
    }

    @Command(
            name = "set",
            description = "Stores a secret; the value is read from standard input (typed without echo at a"
                    + " terminal), or taken from an environment variable with --from-env.")
    static final class Set extends ClientCommand {
        @Parameters(paramLabel = "NAME", description = "the secret's name, e.g. STRIPE_API_KEY")
        String name;

        @Option(names = "--from-env", paramLabel = "VAR", description = "take the value from this environment variable")
        String fromEnv;

        @Override
        void run(ServerClient client) {
            var value = fromEnv != null
                    ? AiosCommand.environment(spec, fromEnv)
                            .orElseThrow(() -> new CliException(
                                    CliException.USAGE, "the environment variable " + fromEnv + " is not set"))
                    : readValue();
            if (value.isEmpty()) {
                throw new CliException(CliException.USAGE, "the secret's value is empty; nothing was stored");
            }
            var body = Json.mapper().createObjectNode().put("value", value);
            client.put("/api/secrets/" + ServerClient.segment(name), body);
            out().println("secret " + name + " is set");
        }

        private String readValue() {
            var console = System.console();
            if (console != null) {
                var typed = console.readPassword("value of %s: ", name);
                return typed == null ? "" : new String(typed);
            }
            try {
                var reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                var line = reader.readLine();
                return line == null ? "" : line.strip();
            } catch (IOException e) {
                throw new CliException(CliException.FAILED, "the value could not be read: " + e.getMessage());
            }
        }
    }

    @Command(name = "list", description = "Lists the secrets: where each comes from, never its value.")
    static final class List extends ClientCommand {
        @Option(names = "--json", description = "print the server's answer as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            var secrets = client.get("/api/secrets");
            if (json) {
                printJson(secrets);
                return;
            }
            var table = Table.withColumns("NAME", "SOURCE");
            for (var secret : secrets) {
                table.row(Text.field(secret, "name"), Text.field(secret, "source"));
            }
            table.print(out(), "no secrets; set one with: aios secret set NAME");
        }
    }

    @Command(name = "delete", description = "Deletes a stored secret.")
    static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "NAME", description = "the secret's name")
        String name;

        @Override
        void run(ServerClient client) {
            client.delete("/api/secrets/" + ServerClient.segment(name));
            out().println("secret " + name + " is deleted");
        }
    }
}
