package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aios costs}: what model calls cost, by day, agent and playbook. */
@Command(name = "costs", description = "Shows what model calls cost, by day, agent and playbook, from the ledger.")
final class CostCommand extends ClientCommand {
    @Option(names = "--from", paramLabel = "DAY", description = "the first day counted, e.g. 2025-05-01 (UTC)")
    String from;

    @Option(names = "--to", paramLabel = "DAY", description = "the last day counted (UTC)")
    String to;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    void run(ServerClient client) {
        var query = new LinkedHashMap<String, String>();
        if (from != null) {
            query.put("from", from);
        }
        if (to != null) {
            query.put("to", to);
        }
        var report = client.get("/api/costs", query);
        if (json) {
            printJson(report);
            return;
        }
        var total = report.path("total");
        out().println("total  $" + usd(total.path("costUsd")) + " for "
                + total.path("calls").asLong()
                + " model calls (" + total.path("cachedCalls").asLong() + " from the cache), "
                + total.path("inputTokens").asLong() + " tokens in, "
                + total.path("outputTokens").asLong()
                + " out"
                + (total.path("unpricedCalls").asLong() > 0
                        ? "; " + total.path("unpricedCalls").asLong() + " calls to unpriced models counted at $0"
                        : ""));
        for (var section : new String[][] {{"byDay", "DAY"}, {"byAgent", "AGENT"}, {"byPlaybook", "PLAYBOOK"}}) {
            out().println();
            var table = Table.withColumns(section[1], "COST USD", "CALLS", "CACHED", "TOKENS IN", "TOKENS OUT");
            for (JsonNode line : report.path(section[0])) {
                table.row(
                        line.path("key").asText(),
                        usd(line.path("costUsd")),
                        line.path("calls").asText(),
                        line.path("cachedCalls").asText(),
                        line.path("inputTokens").asText(),
                        line.path("outputTokens").asText());
            }
            table.print(out(), "no model calls yet");
        }
    }

    /** A dollar amount as a plain decimal: a JSON number may come back as a double (3.6E-4). */
    private static String usd(JsonNode amount) {
        if (!amount.isNumber()) {
            return "0";
        }
        var plain = amount.decimalValue().stripTrailingZeros();
        return (plain.scale() < 2 ? plain.setScale(2) : plain).toPlainString();
    }
}
