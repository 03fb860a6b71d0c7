package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.server.internal.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aios forget}: forgets everything about a subject, for good; {@code --check} asks whether it was. */
@Command(
        name = "forget",
        description = "Forgets a subject for good: its runs still going are cancelled, its data can no longer"
                + " be read, and its name and its events' ids are replaced by a keyed pseudonym"
                + " (forgotten:...); the journal still verifies. With --check, says whether it was forgotten.")
final class ForgetCommand extends ClientCommand {
    @Parameters(paramLabel = "SUBJECT", description = "the subject, e.g. acme")
    String subject;

    @Option(names = "--check", description = "only say whether the subject was forgotten, and under which pseudonym")
    boolean check;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    void run(ServerClient client) {
        if (check) {
            check(client);
            return;
        }
        var report = client.post(
                "/api/subjects/" + ServerClient.segment(subject) + "/forget",
                Json.mapper().createObjectNode());
        if (json) {
            printJson(report);
            return;
        }
        if (report.path("alreadyForgotten").asBoolean()) {
            out().println(Text.field(report, "subject") + " was already forgotten (as "
                    + Text.field(report, "pseudonym") + "); nothing about it was kept since");
            return;
        }
        out().println("forgot " + Text.field(report, "subject") + ": "
                + count(report, "keysDestroyed", "key") + " destroyed, "
                + count(report, "runsCancelled", "run") + " cancelled, "
                + count(report, "runsScrubbed", "run") + " scrubbed, "
                + count(report, "eventsUnreadable", "event") + " no longer readable; its records now say "
                + Text.field(report, "pseudonym"));
    }

    private void check(ServerClient client) {
        var found = client.get("/api/subjects/" + ServerClient.segment(subject) + "/forgotten");
        if (json) {
            printJson(found);
            return;
        }
        String name = Text.field(found, "subject");
        String pseudonym = Text.field(found, "pseudonym");
        if (!found.path("forgottenAt").isTextual()) {
            out().println(name + " was not forgotten"
                    + (found.path("seenSince").asBoolean() ? "; aios holds data about it" : ""));
            return;
        }
        out().println(name + " was forgotten at " + found.path("forgottenAt").asText() + "; its records say "
                + pseudonym + " (" + count(found, "runs", "run") + ", " + count(found, "events", "event")
                + "; list them with `aios runs --subject " + pseudonym + "`)"
                + (found.path("seenSince").asBoolean() ? "; aios holds new data about it, sent since" : ""));
    }

    private static String count(JsonNode report, String field, String noun) {
        long n = report.path(field).asLong();
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
