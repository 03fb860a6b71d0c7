package dev.aios.server.internal.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** What a running aios knows: {@code playbooks} and {@code agents}. */
final class CatalogCommands {
    private CatalogCommands() {}

    @Command(name = "playbooks", description = "Lists the loaded playbook versions, active ones first.")
    static final class Playbooks extends ClientCommand {
        @Option(names = "--json", description = "print the playbooks as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            var playbooks = client.get("/api/playbooks");
            if (json) {
                printJson(playbooks);
                return;
            }
            var table = Table.withColumns("NAME", "VERSION", "ACTIVE", "TRIGGER", "SOURCE");
            var refusals = new java.util.ArrayList<String>();
            playbooks.forEach(playbook -> {
                var problems = playbook.path("refused");
                if (problems.isArray() && !problems.isEmpty()) {
                    table.row(Text.field(playbook, "name"), "-", "refused", "-", Text.field(playbook, "source"));
                    problems.forEach(problem -> refusals.add(Text.field(problem, "source")
                            + (problem.path("line").asInt() > 0
                                    ? ":" + problem.path("line").asInt()
                                    : "")
                            + ": " + Text.field(problem, "message")));
                    return;
                }
                table.row(
                        Text.field(playbook, "name"),
                        Text.shortVersion(Text.field(playbook, "version")),
                        playbook.path("active").asBoolean() ? "yes" : "no",
                        Text.field(playbook, "trigger")
                                + Text.optional(playbook, "when")
                                        .map(when -> " if " + when)
                                        .orElse(""),
                        Text.field(playbook, "source"));
            });
            table.print(
                    out(), "no playbooks loaded; put YAML playbooks in ./playbooks or pass --playbooks DIR to aios up");
            if (!refusals.isEmpty()) {
                out().println();
                out().println("refused (the version loaded before stays active until the file is fixed):");
                refusals.forEach(line -> out().println("  " + line));
            }
        }
    }

    @Command(name = "agents", description = "Lists the registered agents and their contracts.")
    static final class Agents extends ClientCommand {
        @Option(names = "--json", description = "print the agents as JSON, with their input and output schemas")
        boolean json;

        @Override
        void run(ServerClient client) {
            var agents = client.get("/api/agents");
            if (json) {
                printJson(agents);
                return;
            }
            var table = Table.withColumns("NAME", "VERSION", "TIMEOUT", "EFFECTS", "DESCRIPTION");
            agents.forEach(agent -> table.row(
                    Text.field(agent, "name"),
                    Text.field(agent, "version"),
                    Text.optional(agent, "timeout").map(Text::isoDuration).orElse("-"),
                    Text.strings(agent, "effects").isEmpty() ? "-" : String.join(", ", Text.strings(agent, "effects")),
                    Text.field(agent, "description")));
            table.print(out(), "no agents registered");
        }
    }
}
