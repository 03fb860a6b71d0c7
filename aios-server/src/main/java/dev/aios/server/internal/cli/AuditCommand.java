package dev.aios.server.internal.cli;

import java.util.LinkedHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aios audit}: who did what, from the hash-chained audit log. */
@Command(
        name = "audit",
        description = "Shows the audit log: every operator and admin action, with the token that made it.")
final class AuditCommand extends ClientCommand {
    @Option(
            names = "--since",
            paramLabel = "AGE|TIME",
            description = "only entries this recent, e.g. 7d, or since a time (default: 7d)")
    String since = "7d";

    @Option(names = "--limit", paramLabel = "N", description = "at most this many entries (default 1000)")
    int limit = 1000;

    @Option(names = "--json", description = "print the entries as JSON")
    boolean json;

    @Override
    void run(ServerClient client) {
        var query = new LinkedHashMap<String, String>();
        query.put("since", since);
        query.put("limit", Integer.toString(limit));
        var entries = client.get("/api/audit", query);
        if (json) {
            printJson(entries);
            return;
        }
        var table = Table.withColumns("#", "AT", "WHO", "WHAT", "ON", "DETAILS");
        entries.forEach(entry -> table.row(
                entry.path("seq").asText(),
                Text.time(entry, "at"),
                Text.field(entry, "actor"),
                Text.field(entry, "action"),
                Text.field(entry, "target"),
                entry.path("details").isEmpty() ? "-" : Text.compact(entry.path("details"))));
        table.print(out(), "no audit entries since " + since);
    }
}
