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

    @Command(
            name = "agents",
            description = "Lists the registered agents and their contracts, then the instances of stateful agents"
                    + " (one per subject) with their mailboxes.")
    static final class Agents extends ClientCommand {
        @Option(names = "--json", description = "print the agents as JSON, with their input and output schemas")
        boolean json;

        @Option(
                names = "--instances",
                description = "list only the instances of stateful agents (with --json, as JSON)")
        boolean instancesOnly;

        @Option(names = "--agent", paramLabel = "NAME", description = "list only the instances of this agent")
        String agent;

        @Override
        void run(ServerClient client) {
            if (instancesOnly || agent != null) {
                var instances =
                        client.get("/api/agents/instances", java.util.Map.of("agent", agent == null ? "" : agent));
                if (json) {
                    printJson(instances);
                } else {
                    printInstances(instances, true);
                }
                return;
            }
            var agents = client.get("/api/agents");
            if (json) {
                printJson(agents);
                return;
            }
            var table = Table.withColumns("NAME", "VERSION", "TIMEOUT", "EFFECTS", "DESCRIPTION");
            agents.forEach(agent -> table.row(
                    Text.field(agent, "name") + (agent.path("stateful").asBoolean() ? " (stateful)" : ""),
                    Text.field(agent, "version"),
                    Text.optional(agent, "timeout").map(Text::isoDuration).orElse("-"),
                    Text.strings(agent, "effects").isEmpty() ? "-" : String.join(", ", Text.strings(agent, "effects")),
                    Text.field(agent, "description")));
            table.print(out(), "no agents registered");
            var instances = client.get("/api/agents/instances");
            if (!instances.isEmpty()) {
                out().println();
                out().println("instances of stateful agents:");
                printInstances(instances, false);
            }
        }

        private void printInstances(com.fasterxml.jackson.databind.JsonNode instances, boolean alone) {
            var table = Table.withColumns("AGENT", "SUBJECT", "MAILBOX", "HANDLED", "FAILED", "LAST MESSAGE", "AT");
            instances.forEach(instance -> table.row(
                    Text.field(instance, "agent"),
                    Text.field(instance, "subject")
                            + Text.optional(instance, "endedAt")
                                    .map(at -> " (ended)")
                                    .orElse(""),
                    instance.path("mailbox").asText()
                            + Text.optional(instance, "nextDue")
                                    .filter(due -> instance.path("mailbox").asLong() > 0)
                                    .map(due -> " (next " + Text.time(instance, "nextDue") + ")")
                                    .orElse(""),
                    instance.path("handled").asText(),
                    instance.path("failed").asText(),
                    Text.field(instance, "lastMessage"),
                    Text.time(instance, "lastAt")));
            table.print(
                    out(),
                    alone
                            ? "no instances: a stateful agent gets one per subject with the first message sent to it"
                            : "");
        }
    }
}
