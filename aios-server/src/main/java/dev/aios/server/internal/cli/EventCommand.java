package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.server.internal.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aios event send}: tells aios that something happened. */
@Command(
        name = "event",
        description = "Sends events to a running aios.",
        subcommands = {EventCommand.Send.class})
final class EventCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "name a command, e.g. 'aios event send lead.received'");
    }

    @Command(name = "send", description = "Sends an event; prints its id and the runs it started or resumed.")
    static final class Send extends ClientCommand {
        @Parameters(paramLabel = "TYPE", description = "the event type, e.g. lead.received")
        String type;

        @Option(names = "--subject", paramLabel = "S", description = "what the event is about, e.g. acme")
        String subject;

        @Option(names = "--data", paramLabel = "JSON", description = "the payload, a JSON object")
        String data;

        @Option(names = "--id", paramLabel = "ID", description = "the event id; resending an id changes nothing")
        String id;

        @Option(names = "--json", description = "print the server's answer as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            var body = Json.mapper().createObjectNode().put("type", type).put("source", "cli");
            if (data != null) {
                JsonNode payload = parseJsonOption("--data", data);
                if (!payload.isObject()) {
                    throw new CliException(
                            CliException.USAGE, "--data must be a JSON object, e.g. '{\"email\":\"ann@acme.test\"}'");
                }
                body.set("data", payload);
            }
            if (subject != null) {
                body.put("subject", subject);
            }
            if (id != null) {
                body.put("id", id);
            }
            var accepted = client.post("/api/events", body);
            if (json) {
                printJson(accepted);
                return;
            }
            var eventId = Text.field(accepted, "eventId");
            if (accepted.path("duplicate").asBoolean()) {
                out().println("event " + eventId + " was accepted before; nothing new started");
                return;
            }
            out().println("event " + eventId + " accepted");
            accepted.path("started").forEach(run -> out().println("started run " + run.asText()));
            accepted.path("resumed").forEach(run -> out().println("resumed run " + run.asText()));
            accepted.path("notes").forEach(note -> out().println("note: " + note.asText()));
            if (accepted.path("started").isEmpty() && accepted.path("resumed").isEmpty()) {
                out().println("no run started or resumed: no active playbook triggers on " + type
                        + " (or its condition did not hold)");
            }
        }
    }
}
