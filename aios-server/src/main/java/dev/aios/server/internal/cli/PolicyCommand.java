package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.server.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aios policy [set|versions|rollback]}: the central policy, in versions. */
@Command(
        name = "policy",
        description = "Shows the central policy in force; sets it from a YAML file, lists its versions, rolls back.",
        subcommands = {
            PolicyCommand.Set.class,
            PolicyCommand.Versions.class,
            PolicyCommand.Rollback.class,
            PolicyCommand.Suggestions.class,
            CommandLine.HelpCommand.class
        })
final class PolicyCommand extends ClientCommand {
    @Option(names = "--json", description = "print the version as JSON")
    boolean json;

    @Override
    void run(ServerClient client) {
        var current = client.get("/api/policy");
        if (json) {
            printJson(current);
            return;
        }
        out().println("policy version " + current.path("version").asInt() + ", by "
                + current.path("author").asText() + " at " + current.path("at").asText() + ": "
                + current.path("reason").asText());
        out().println(yaml(current.path("document")));
    }

    static String yaml(JsonNode document) {
        try {
            return new YAMLMapper().writeValueAsString(document).replaceFirst("^---\\n", "");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Command(name = "set", description = "Makes the policy in FILE (YAML, as under policy: in aios.yaml) the policy.")
    static final class Set extends ClientCommand {
        @Parameters(paramLabel = "FILE", description = "the policy, in YAML")
        Path file;

        @Option(names = "--reason", defaultValue = "", description = "why, kept with the version")
        String reason;

        @Override
        void run(ServerClient client) {
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new CliException(CliException.FAILED, "cannot read " + file + ": " + e.getMessage());
            }
            int basedOn = client.get("/api/policy").path("version").asInt();
            var body = Json.mapper().createObjectNode().put("yaml", text).put("basedOn", basedOn);
            body.put("reason", reason);
            var version = client.put("/api/policy", body);
            out().println("policy version " + version.path("version").asInt() + " is in force");
        }
    }

    @Command(name = "versions", description = "Lists every version of the policy, newest first.")
    static final class Versions extends ClientCommand {
        @Override
        void run(ServerClient client) {
            var table = Table.withColumns("VERSION", "AT", "AUTHOR", "REASON");
            for (var version : client.get("/api/policy/versions")) {
                table.row(
                        version.path("version").asText(),
                        version.path("at").asText(),
                        version.path("author").asText(),
                        version.path("reason").asText());
            }
            table.print(out(), "no versions");
        }
    }

    @Command(name = "rollback", description = "Makes an earlier version's policy the policy again, as a new version.")
    static final class Rollback extends ClientCommand {
        @Parameters(paramLabel = "VERSION", description = "the version to go back to")
        int version;

        @Option(names = "--reason", defaultValue = "", description = "why, kept with the version")
        String reason;

        @Override
        void run(ServerClient client) {
            var body = Json.mapper().createObjectNode().put("version", version).put("reason", reason);
            var made = client.post("/api/policy/rollback", body);
            out().println("policy version " + made.path("version").asInt() + " (the policy of version " + version
                    + ") is in force");
        }
    }

    @Command(
            name = "suggestions",
            description = "Lists the autonomy suggestions and what became of them; accept or decline one (or answer"
                    + " its inbox task: aios approve TASK, aios reject TASK).",
            subcommands = {Accept.class, Decline.class})
    static final class Suggestions extends ClientCommand {
        @Override
        void run(ServerClient client) {
            var table = Table.withColumns("ID", "AT", "STATUS", "SUGGESTION", "RUN", "VERSION");
            for (var s : client.get("/api/suggestions")) {
                table.row(
                        s.path("id").asText(),
                        s.path("at").asText(),
                        s.path("status").asText(),
                        s.path("text").asText(),
                        s.path("run").asText(""),
                        s.path("version").asText(""));
            }
            table.print(out(), "no suggestions yet: an agent earns one with 20 unchanged approvals in a row");
        }
    }

    /** {@code aios policy suggestions accept ID}: the suggestion becomes policy (needs an admin token). */
    @Command(
            name = "accept",
            description = "Accepts a proposed suggestion as a new policy version, its region narrowed by the options"
                    + " given; needs an admin token.")
    static final class Accept extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "the suggestion, as aios policy suggestions lists it")
        String id;

        @Option(names = "--min-confidence", description = "auto-approve only from this confidence up")
        Optional<Double> minConfidence;

        @Option(names = "--min-amount", description = "auto-approve only from this amount up")
        Optional<Double> minAmount;

        @Option(names = "--max-amount", description = "auto-approve only up to this amount")
        Optional<Double> maxAmount;

        @Option(names = "--comment", defaultValue = "", description = "kept with the answer")
        String comment;

        @Override
        void run(ServerClient client) {
            var body = Json.mapper().createObjectNode().put("comment", comment);
            minConfidence.ifPresent(v -> body.put("minConfidence", v));
            minAmount.ifPresent(v -> body.put("minAmount", v));
            maxAmount.ifPresent(v -> body.put("maxAmount", v));
            var s = client.post("/api/suggestions/" + ServerClient.segment(id) + "/accept", body);
            out().println("accepted: " + s.path("text").asText() + " (policy version "
                    + s.path("version").asInt() + "; undo with: aios policy rollback "
                    + (s.path("version").asInt() - 1) + ")");
        }
    }

    /** {@code aios policy suggestions decline ID}: nothing changes; asked again only much later. */
    @Command(name = "decline", description = "Declines a proposed suggestion; the policy stays as it is.")
    static final class Decline extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "the suggestion, as aios policy suggestions lists it")
        String id;

        @Option(names = "--reason", defaultValue = "", description = "why, kept with the suggestion")
        String reason;

        @Override
        void run(ServerClient client) {
            var body = Json.mapper().createObjectNode().put("reason", reason);
            var s = client.post("/api/suggestions/" + ServerClient.segment(id) + "/decline", body);
            out().println("declined: " + s.path("text").asText());
        }
    }

    /** {@code aios alerts [--all]}: anomalies against the rolling baselines. */
    @Command(
            name = "alerts",
            description = "Lists the open anomaly alerts (acknowledge one: aios approve TASK; dismiss it: aios reject"
                    + " TASK).")
    static final class Alerts extends ClientCommand {
        @Option(names = "--all", description = "also the acknowledged and dismissed ones")
        boolean all;

        @Option(names = "--json", description = "print the alerts as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            var alerts = client.get("/api/alerts", all ? java.util.Map.of("all", "true") : java.util.Map.of());
            if (json) {
                printJson(alerts);
                return;
            }
            var table = Table.withColumns("AT", "STATUS", "ALERT", "RUN");
            for (var a : alerts) {
                table.row(
                        a.path("at").asText(),
                        a.path("status").asText(),
                        a.path("text").asText(),
                        a.path("run").asText(""));
            }
            table.print(out(), all ? "no alerts" : "no open alerts");
        }
    }

    /** {@code aios correct RUN STEP --output JSON}: what a committed output should have been. */
    @Command(
            name = "correct",
            description = "Says what an agent step's committed output should have been: kept as an example for the"
                    + " agent, and revokes the autonomy that let it through, if any.")
    static final class Correct extends ClientCommand {
        @Parameters(index = "0", paramLabel = "RUN", description = "the run's id")
        String run;

        @Parameters(index = "1", paramLabel = "STEP", description = "the agent step's id")
        String step;

        @Option(
                names = "--output",
                paramLabel = "JSON",
                required = true,
                description = "the output as it should have been")
        String output;

        @Option(names = "--reason", paramLabel = "R", defaultValue = "", description = "why, kept with the correction")
        String reason;

        @Override
        void run(ServerClient client) {
            var body = Json.mapper()
                    .createObjectNode()
                    .put("run", run)
                    .put("step", step)
                    .put("reason", reason);
            body.set("output", parseJsonOption("--output", output));
            var report = client.post("/api/corrections", body);
            out().println("correction of step " + step + " in run " + run + " kept ("
                    + report.path("changes").size() + " change"
                    + (report.path("changes").size() == 1 ? "" : "s")
                    + ")");
            var revoked = report.path("revoked");
            if (revoked.isObject()) {
                out().println(revoked.path("text").asText());
            }
        }
    }

    /** {@code aios flags [set AGENT STATE --segment S]}: which agents run, for whom. */
    @Command(
            name = "flags",
            description = "Lists the agents' flags; sets one (on, off or shadow), for everyone or a segment.",
            subcommands = {Flags.SetFlag.class, CommandLine.HelpCommand.class})
    static final class Flags extends ClientCommand {
        @Override
        void run(ServerClient client) {
            var table = Table.withColumns("AGENT", "STATE", "SEGMENTS");
            client.get("/api/flags").properties().forEach(e -> {
                var flag = e.getValue();
                var state =
                        flag.isTextual() ? flag.asText() : flag.path("state").asText("on");
                var segments = new StringBuilder();
                flag.path("segments").properties().forEach(s -> segments.append(segments.isEmpty() ? "" : ", ")
                        .append(s.getKey())
                        .append(": ")
                        .append(s.getValue().asText()));
                table.row(e.getKey(), state, segments.toString());
            });
            table.print(out(), "no flags: every agent is on");
        }

        @Command(name = "set", description = "Sets AGENT's flag to STATE (on, off or shadow) at once.")
        static final class SetFlag extends ClientCommand {
            @Parameters(index = "0", paramLabel = "AGENT")
            String agent;

            @Parameters(index = "1", paramLabel = "STATE", description = "on, off or shadow")
            String state;

            @Option(names = "--segment", paramLabel = "SEGMENT", description = "only for subjects in this segment")
            String segment;

            @Override
            void run(ServerClient client) {
                var body = Json.mapper().createObjectNode().put("state", state);
                Optional.ofNullable(segment).ifPresent(s -> body.put("segment", s));
                var made = client.put("/api/flags/" + ServerClient.segment(agent), body);
                out().println(agent + " is " + state + (segment == null ? "" : " for segment " + segment)
                        + " (policy version " + made.path("version").asInt() + ")");
            }
        }
    }
}
