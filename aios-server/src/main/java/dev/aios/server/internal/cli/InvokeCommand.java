package dev.aios.server.internal.cli;

import dev.aios.api.Durations;
import dev.aios.server.internal.Json;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aios invoke NAME}: runs one playbook and prints its output, or the run to follow. */
@Command(
        name = "invoke",
        description = "Starts a run of one playbook and prints its output when it completes in time;"
                + " otherwise the run to follow.")
final class InvokeCommand extends ClientCommand {
    @Parameters(paramLabel = "NAME", description = "the playbook")
    String playbook;

    @Option(names = "--data", paramLabel = "JSON", description = "the trigger's payload, a JSON object")
    String data;

    @Option(names = "--subject", paramLabel = "S", description = "what the run is about")
    String subject;

    @Option(names = "--id", paramLabel = "ID", description = "an id; invoking again with it answers with the same run")
    String id;

    @Option(
            names = "--wait",
            paramLabel = "DURATION",
            description = "how long to wait for the output (default 30s, at most 5m)")
    String wait;

    @Option(names = "--json", description = "print the server's answer as JSON")
    boolean json;

    @Override
    void run(ServerClient client) {
        var body = Json.mapper().createObjectNode();
        if (data != null) {
            var payload = parseJsonOption("--data", data);
            if (!payload.isObject()) {
                throw new CliException(CliException.USAGE, "--data must be a JSON object");
            }
            body.set("data", payload);
        }
        if (subject != null) {
            body.put("subject", subject);
        }
        if (id != null) {
            body.put("id", id);
        }
        var waitFor = wait == null
                ? Duration.ofSeconds(30)
                : Durations.parse(wait)
                        .orElseThrow(() -> new CliException(
                                CliException.USAGE, "--wait must be a duration such as 10s or 2m, was '" + wait + "'"));
        var answer = client.post(
                "/api/playbooks/" + ServerClient.segment(playbook) + "/invoke",
                wait == null ? Map.of() : Map.of("wait", wait),
                body,
                waitFor.plusSeconds(15));
        if (json) {
            printJson(answer);
            return;
        }
        var runId = Text.field(answer, "runId");
        if (Text.field(answer, "status").equals("completed")) {
            out().println(Text.compact(answer.path("output")));
            return;
        }
        out().println("run " + runId + " is " + Text.field(answer, "status")
                + " and has not finished yet; follow it with: aios run show " + runId);
    }
}
