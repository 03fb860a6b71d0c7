package dev.aios.server.internal.cli;

import dev.aios.server.internal.Json;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aios deliveries}: the outgoing webhook deliveries, and retrying or dropping a failed one. */
@Command(
        name = "deliveries",
        description = "Lists the outgoing webhook deliveries (newest first); --retry ID sends a failed one again,"
                + " --drop ID gives it up.")
final class DeliveriesCommand extends ClientCommand {
    @Option(names = "--failed", description = "only the failed ones (no attempts left)")
    boolean failed;

    @Option(names = "--pending", description = "only the ones still to be sent")
    boolean pending;

    @Option(names = "--retry", paramLabel = "ID", description = "send a failed delivery again, with all its attempts")
    String retry;

    @Option(names = "--drop", paramLabel = "ID", description = "drop a failed delivery: it is never sent")
    String drop;

    @Option(names = "--json", description = "print the server's answer as JSON")
    boolean json;

    @Override
    void run(ServerClient client) {
        if (retry != null) {
            client.post(
                    "/api/deliveries/" + ServerClient.segment(retry) + "/retry",
                    Json.mapper().createObjectNode());
            out().println("delivery " + retry + " is sent again");
            return;
        }
        if (drop != null) {
            client.post(
                    "/api/deliveries/" + ServerClient.segment(drop) + "/drop",
                    Json.mapper().createObjectNode());
            out().println("delivery " + drop + " is dropped");
            return;
        }
        var status = failed ? "failed" : pending ? "pending" : null;
        var deliveries = client.get("/api/deliveries", status == null ? Map.of() : Map.of("status", status));
        if (json) {
            printJson(deliveries);
            return;
        }
        var table = Table.withColumns("ID", "SUBSCRIPTION", "TYPE", "STATUS", "ATTEMPTS", "NEXT", "LAST ERROR");
        for (var delivery : deliveries) {
            table.row(
                    Text.field(delivery, "id"),
                    Text.field(delivery, "subscription"),
                    Text.field(delivery, "type"),
                    Text.field(delivery, "status"),
                    delivery.path("attempts").asText(),
                    delivery.path("nextAt").isTextual()
                            ? delivery.path("nextAt").asText()
                            : "",
                    delivery.path("lastError").isTextual()
                            ? delivery.path("lastError").asText()
                            : "");
        }
        table.print(out(), "no deliveries; subscriptions: in aios.yaml says what to deliver where");
    }
}
