package dev.aios.server.internal.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aios playbook diff}: compares two versions of a playbook on its recent runs. */
@Command(
        name = "playbook",
        description = "Works with one playbook's versions.",
        subcommands = {PlaybookCommand.Diff.class})
final class PlaybookCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "say what to do, e.g. aios playbook diff");
    }

    @Command(
            name = "diff",
            description = "Shows which steps differ between two versions of a playbook, and which of its last"
                    + " finished runs would behave differently under the second (replayed without calling any"
                    + " agent).")
    static final class Diff extends ClientCommand {
        @Parameters(
                index = "0",
                paramLabel = "FROM",
                description = "NAME (its active version; runs of any version) or NAME@VERSION (runs of that version)")
        String from;

        @Parameters(index = "1", paramLabel = "TO", description = "NAME@VERSION, or a YAML file not loaded yet")
        String to;

        @Option(names = "--last", paramLabel = "N", description = "how many finished runs to replay (default 20)")
        int last = 20;

        @Option(names = "--json", description = "print the comparison as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            var body = WhatIfPrinter.target("to", to);
            body.put("from", from);
            body.put("last", last);
            var diff = client.post("/api/playbooks/diff", body);
            if (json) {
                printJson(diff);
            } else {
                WhatIfPrinter.printDiff(out(), diff);
            }
        }
    }
}
