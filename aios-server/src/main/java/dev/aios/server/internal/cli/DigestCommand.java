package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aios digest}: the weekly review of exceptions as text. */
@Command(
        name = "digest",
        description = "The period's exceptions: tasks answered and how, failures by cause, spend against budget,"
                + " the runs that took longest.")
final class DigestCommand extends ClientCommand {
    @Option(names = "--since", paramLabel = "AGE", description = "how far back, e.g. 7d (default), 24h, 30d")
    String since = "7d";

    @Option(names = "--json", description = "print the digest as JSON")
    boolean json;

    @Override
    void run(ServerClient client) {
        var review = client.get("/api/digest", Map.of("since", since));
        if (json) {
            printJson(review);
            return;
        }
        var d = review.path("digest");
        var out = out();
        out.println("since " + Text.field(d, "from") + " (" + since + ")");
        var ended = new StringBuilder();
        d.path("ended").forEach(c -> ended.append(", ")
                .append(c.path("count").asLong())
                .append(' ')
                .append(c.path("key").asText()));
        out.println("runs   " + d.path("started").asLong() + " started" + ended);
        var spend = review.path("spend").path("total");
        out.println("spend  $" + spend.path("costUsd").asText("0") + " for "
                + spend.path("calls").asLong() + " model calls"
                + (review.path("budget").isMissingNode()
                                || review.path("budget").isNull()
                        ? ""
                        : " of $" + review.path("budget").asText() + " budgeted"));
        out.println("open   " + d.path("stillOpen").asLong() + " tasks wait for you");
        section("TASKS ANSWERED", d.path("answered"), "key", "count");
        out.println();
        var failures = Table.withColumns("FAILURE", "TIMES", "RUNS");
        for (JsonNode f : d.path("failures")) {
            failures.row(f.path("cause").asText(), f.path("count").asText(), String.join(" ", Text.strings(f, "runs")));
        }
        failures.print(out, "nothing failed for good");
        out.println();
        var longest = Table.withColumns("LONGEST RUN", "PLAYBOOK", "SUBJECT", "STATUS", "TOOK");
        for (JsonNode t : d.path("longest")) {
            var run = t.path("run");
            longest.row(
                    run.path("id").asText(),
                    run.path("playbook").asText(),
                    run.path("subject").asText(),
                    run.path("status").asText(),
                    took(t.path("took").asText()));
        }
        longest.print(out, "no run ended");
    }

    /** An ISO duration ({@code PT3M2S}) as {@code 3m2s}. */
    private static String took(String iso) {
        try {
            return java.time.Duration.parse(iso).toString().substring(2).toLowerCase(java.util.Locale.ROOT);
        } catch (java.time.format.DateTimeParseException e) {
            return iso;
        }
    }

    private void section(String heading, JsonNode counts, String key, String count) {
        out().println();
        var table = Table.withColumns(heading, "COUNT");
        counts.forEach(c -> table.row(c.path(key).asText(), c.path(count).asText()));
        table.print(out(), "none");
    }
}
