package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.aios.kernel.Admin;
import dev.aios.kernel.Scope;
import dev.aios.kernel.TokenInfo;
import dev.aios.server.internal.AiosConfig;
import dev.aios.server.internal.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code aios token}: API tokens. Through the running server (with an admin token), or with
 * {@code --data DIR} on the data directory of a stopped aios.
 */
@Command(
        name = "token",
        description = "Creates, lists and revokes API tokens; with --data DIR on a stopped aios's data directory.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. 'aios token list'");
    }

    /** A token command: on the server, or on a data directory with {@code --data}. */
    abstract static class TokenWork extends ClientCommand {
        @Option(
                names = "--data",
                paramLabel = "DIR",
                description = "work on this data directory of a stopped aios instead of the running server")
        Path data;

        @Option(names = "--json", description = "print the answer as JSON")
        boolean json;

        /** Runs on the data directory when {@code --data} is given, otherwise against the server. */
        @Override
        boolean offline() {
            return data != null;
        }

        @Override
        Integer runOffline() {
            if (!Files.isDirectory(data)) {
                throw new CliException(
                        CliException.FAILED,
                        "no data directory at " + data.toAbsolutePath().normalize());
            }
            show(onDirectory(data));
            out().flush();
            return 0;
        }

        abstract JsonNode onDirectory(Path directory);

        abstract void show(JsonNode answer);

        @Override
        void run(ServerClient client) {
            show(onServer(client));
        }

        abstract JsonNode onServer(ServerClient client);

        void printTokens(JsonNode tokens) {
            if (json) {
                printJson(tokens);
                return;
            }
            var table = Table.withColumns("NAME", "SCOPES", "STATUS", "CREATED", "EXPIRES", "LAST USED");
            tokens.forEach(token -> table.row(
                    Text.field(token, "name"),
                    Text.strings(token, "scopes").isEmpty() ? "-" : String.join(",", Text.strings(token, "scopes")),
                    Text.field(token, "status"),
                    Text.time(token, "createdAt") + " by " + Text.field(token, "createdBy"),
                    Text.time(token, "expiresAt"),
                    Text.time(token, "lastUsedAt")));
            table.print(out(), "no tokens");
        }
    }

    /** A token as the API and the CLI show it. */
    static JsonNode describe(TokenInfo info, Instant now) {
        return dev.aios.server.internal.http.AccessRoutes.describe(info, now);
    }

    @Command(name = "create", description = "Creates a token and prints it, once: only its hash is kept.")
    static final class Create extends TokenWork {
        @Option(
                names = "--name",
                required = true,
                paramLabel = "NAME",
                description = "what to call it, e.g. laptop; the audit log records this name")
        String name;

        @Option(
                names = "--scope",
                required = true,
                paramLabel = "SCOPES",
                description = "read, ingest, operate or admin (or several, comma-separated)")
        String scope;

        @Option(names = "--expires", paramLabel = "AGE", description = "when it stops working, e.g. 90d")
        String expires;

        @Override
        JsonNode onDirectory(Path directory) {
            var issued = Admin.createToken(directory, name, Scope.parse(scope), expiresIn());
            var answer = Json.mapper().createObjectNode();
            answer.setAll((com.fasterxml.jackson.databind.node.ObjectNode) describe(issued.info(), Instant.now()));
            answer.put("token", issued.secret());
            return answer;
        }

        @Override
        JsonNode onServer(ServerClient client) {
            Scope.parse(scope);
            var body = Json.mapper().createObjectNode().put("name", name);
            ArrayNode scopes = body.putArray("scopes");
            for (var part : scope.split(",")) {
                if (!part.isBlank()) {
                    scopes.add(part.strip());
                }
            }
            if (expires != null) {
                body.put("expires", expires);
            }
            return client.post("/api/tokens", body);
        }

        private Optional<java.time.Duration> expiresIn() {
            if (expires == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(AiosConfig.duration(expires));
            } catch (IllegalArgumentException e) {
                throw new CliException(
                        CliException.USAGE, "--expires must be an age such as 90d, was '" + expires + "'");
            }
        }

        @Override
        void show(JsonNode answer) {
            if (json) {
                printJson(answer);
                return;
            }
            out().println(Text.field(answer, "token"));
            var err = spec.commandLine().getErr();
            err.println(
                    "token '" + Text.field(answer, "name") + "' (" + String.join(",", Text.strings(answer, "scopes"))
                            + ") created"
                            + Text.optional(answer, "expiresAt")
                                    .map(at -> ", expires " + at)
                                    .orElse("")
                            + "; it is shown only this once: keep it where its user can find it (AIOS_TOKEN or --token)");
            err.flush();
        }
    }

    @Command(name = "list", description = "Lists the tokens: never the tokens themselves, which are not kept.")
    static final class ListTokens extends TokenWork {
        @Override
        JsonNode onDirectory(Path directory) {
            var now = Instant.now();
            var tokens = Json.mapper().createArrayNode();
            Admin.tokens(directory).forEach(info -> tokens.add(describe(info, now)));
            return tokens;
        }

        @Override
        JsonNode onServer(ServerClient client) {
            return client.get("/api/tokens");
        }

        @Override
        void show(JsonNode answer) {
            printTokens(answer);
        }
    }

    @Command(name = "revoke", description = "Revokes a token: it stops working at once.")
    static final class Revoke extends TokenWork {
        @Parameters(paramLabel = "NAME", description = "the token's name")
        String name;

        @Override
        JsonNode onDirectory(Path directory) {
            return describe(Admin.revokeToken(directory, name), Instant.now());
        }

        @Override
        JsonNode onServer(ServerClient client) {
            return client.delete("/api/tokens/" + ServerClient.segment(name));
        }

        @Override
        void show(JsonNode answer) {
            if (json) {
                printJson(answer);
                return;
            }
            out().println("revoked token '" + Text.field(answer, "name") + "'");
        }
    }
}
