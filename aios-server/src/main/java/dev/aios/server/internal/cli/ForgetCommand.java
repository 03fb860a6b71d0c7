package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.server.internal.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aios forget}: forgets everything about a subject, for good. */
@Command(
        name = "forget",
        description = "Forgets a subject for good: its runs still going are cancelled and its data can no longer"
                + " be read; the journal still verifies.")
final class ForgetCommand extends ClientCommand {
    @Parameters(paramLabel = "SUBJECT", description = "the subject, e.g. acme")
    String subject;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    void run(ServerClient client) {
        var report = client.post(
                "/api/subjects/" + ServerClient.segment(subject) + "/forget",
                Json.mapper().createObjectNode());
        if (json) {
            printJson(report);
            return;
        }
        out().println("forgot " + Text.field(report, "subject") + ": "
                + count(report, "keysDestroyed", "key") + " destroyed, "
                + count(report, "runsCancelled", "run") + " cancelled, "
                + count(report, "runsScrubbed", "run") + " scrubbed, "
                + count(report, "eventsUnreadable", "event") + " no longer readable");
    }

    private static String count(JsonNode report, String field, String noun) {
        long n = report.path(field).asLong();
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
