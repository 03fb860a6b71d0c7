package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aios agent show}: one stateful agent's instance for a subject. */
@Command(
        name = "agent",
        description = "Works with one stateful agent's instances.",
        subcommands = {AgentCommand.Show.class})
final class AgentCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "say what to do, e.g. aios agent show client-account acme");
    }

    @Command(
            name = "show",
            description = "Shows a stateful agent's instance for a subject: its mailbox, its state and its recent"
                    + " messages.")
    static final class Show extends ClientCommand {
        @Parameters(index = "0", paramLabel = "AGENT", description = "the stateful agent")
        String agent;

        @Parameters(index = "1", paramLabel = "SUBJECT", description = "the subject its instance follows")
        String subject;

        @Option(names = "--last", paramLabel = "N", description = "how many recent messages to show (default 20)")
        int last = 20;

        @Option(names = "--json", description = "print the instance as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            var view = client.get(
                    "/api/agents/" + ServerClient.segment(agent) + "/instances/" + ServerClient.segment(subject),
                    Map.of("limit", Integer.toString(last)));
            if (json) {
                printJson(view);
                return;
            }
            var instance = view.path("instance");
            var out = out();
            out.println("agent " + agent + " for " + subject);
            out.println("  mailbox " + instance.path("mailbox").asLong()
                    + Text.optional(instance, "nextDue")
                            .filter(due -> instance.path("mailbox").asLong() > 0)
                            .map(due -> " (next due " + Text.time(instance, "nextDue") + ")")
                            .orElse("")
                    + ", handled " + instance.path("handled").asLong()
                    + ", failed " + instance.path("failed").asLong()
                    + ", since " + Text.time(instance, "createdAt")
                    + Text.optional(instance, "endedAt")
                            .map(at -> ", ended " + Text.time(instance, "endedAt")
                                    + " (it handles no more messages; forget the subject to start anew)")
                            .orElse(""));
            Text.optional(instance, "lastMessage")
                    .ifPresent(id -> out.println("  last message " + id + " at " + Text.time(instance, "lastAt")));
            out.println();
            out.println("state:");
            for (String line : pretty(view.path("state")).split("\n")) {
                out.println("  " + line);
            }
            out.println();
            out.println("recent messages (newest first):");
            var table = Table.withColumns("STATUS", "AT", "TYPE", "FROM", "ID", "MESSAGE");
            view.path("messages")
                    .forEach(message -> table.row(
                            status(message),
                            message.path("status").asText().equals("queued")
                                    ? "due " + Text.time(message, "dueAt")
                                    : Text.time(message, "handledAt"),
                            Text.field(message, "type"),
                            Text.field(message, "from"),
                            Text.field(message, "id"),
                            Text.cut(Text.compact(message.path("body")), 60)
                                    + Text.optional(message, "error")
                                            .map(e -> " — " + e)
                                            .orElse("")));
            table.print(out, "none");
        }

        private static String status(JsonNode message) {
            int attempts = message.path("attempts").asInt();
            String status = message.path("status").asText();
            return attempts > 1 ? status + " (" + attempts + " attempts)" : status;
        }

        private static String pretty(JsonNode json) {
            try {
                return dev.aios.server.internal.Json.mapper()
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsString(json);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return json.toString();
            }
        }
    }
}
