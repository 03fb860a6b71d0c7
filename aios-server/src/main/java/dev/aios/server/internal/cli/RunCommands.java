package dev.aios.server.internal.cli;

import dev.aios.server.internal.Json;
import java.util.LinkedHashMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The commands about runs: {@code runs}, {@code run show}, {@code journal}, {@code cancel}, {@code
 * replay}.
 */
final class RunCommands {
    private RunCommands() {}

    @Command(name = "runs", description = "Lists runs, newest first.")
    static final class Runs extends ClientCommand {
        @Option(names = "--status", paramLabel = "S", description = "only runs in this status, e.g. waiting")
        String status;

        @Option(names = "--playbook", paramLabel = "P", description = "only runs of this playbook")
        String playbook;

        @Option(names = "--subject", paramLabel = "S", description = "only runs about this subject")
        String subject;

        @Option(names = "--limit", paramLabel = "N", description = "at most N runs, 1 to 1000 (default 50)")
        Integer limit;

        @Option(
                names = "--after",
                paramLabel = "CURSOR",
                description = "the page after this cursor, as printed at the end of the previous page")
        String after;

        @Option(names = "--every", description = "every run, page after page, instead of one page")
        boolean every;

        @Option(names = "--json", description = "print the runs as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            var query = new LinkedHashMap<String, String>();
            query.put("status", status);
            query.put("playbook", playbook);
            query.put("subject", subject);
            query.put("limit", limit == null ? null : limit.toString());
            query.put("after", after);
            var runs = Json.mapper().createArrayNode();
            var page = client.list("/api/runs", query);
            runs.addAll((com.fasterxml.jackson.databind.node.ArrayNode) page.items());
            while (every && page.next().isPresent()) {
                query.put("after", page.next().get());
                page = client.list("/api/runs", query);
                runs.addAll((com.fasterxml.jackson.databind.node.ArrayNode) page.items());
            }
            if (json) {
                printJson(runs);
                return;
            }
            var table = Table.withColumns("ID", "PLAYBOOK", "STATUS", "SUBJECT", "STEP", "UPDATED");
            runs.forEach(run -> table.row(
                    Text.field(run, "id"),
                    Text.field(run, "playbook"),
                    Text.field(run, "status"),
                    Text.field(run, "subject"),
                    Text.field(run, "currentStep"),
                    Text.time(run, "updatedAt")));
            table.print(out(), "no runs");
            if (!every) {
                page.next().ifPresent(next -> out().println("more: aios runs --after " + next + " (or --every)"));
            }
        }
    }

    @Command(
            name = "run",
            description = "Shows one run.",
            subcommands = {Run.Show.class})
    static final class Run implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. 'aios run show RUN'");
        }

        @Command(name = "show", description = "Shows a run: its steps with inputs, outputs and errors, and its tasks.")
        static final class Show extends ClientCommand {
            @Parameters(paramLabel = "RUN", description = "the run's id")
            String id;

            @Option(names = "--json", description = "print the run as JSON")
            boolean json;

            @Override
            void run(ServerClient client) {
                var run = client.get("/api/runs/" + ServerClient.segment(id));
                if (json) {
                    printJson(run);
                } else {
                    new RunPrinter(out()).run(run);
                }
            }
        }
    }

    @Command(
            name = "journal",
            description = "Prints a run's journal, oldest entry first (--json for the entries in full).")
    static final class Journal extends ClientCommand {
        private static final int JOURNAL_DATA_WIDTH = 120;

        @Parameters(paramLabel = "RUN", description = "the run's id")
        String id;

        @Option(names = "--json", description = "print the entries as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            var entries = client.get("/api/runs/" + ServerClient.segment(id) + "/journal");
            if (json) {
                printJson(entries);
                return;
            }
            var table = Table.withColumns("SEQ", "AT", "TYPE", "DATA");
            entries.forEach(entry -> table.row(
                    Text.field(entry, "seq"),
                    Text.time(entry, "at"),
                    Text.field(entry, "type"),
                    Text.cut(Text.compact(entry.path("data")), JOURNAL_DATA_WIDTH)));
            table.print(out(), "the journal of run " + id + " is empty");
        }
    }

    @Command(name = "cancel", description = "Cancels a run that has not ended; its open tasks are cancelled too.")
    static final class Cancel extends ClientCommand {
        @Parameters(paramLabel = "RUN", description = "the run's id")
        String id;

        @Option(names = "--reason", paramLabel = "R", description = "why, for the journal")
        String reason;

        @Override
        void run(ServerClient client) {
            var body = Json.mapper().createObjectNode();
            if (reason != null) {
                body.put("reason", reason);
            }
            var run = client.post("/api/runs/" + ServerClient.segment(id) + "/cancel", body);
            out().println("run " + Text.field(run, "id") + " is " + Text.field(run, "status"));
        }
    }

    @Command(
            name = "replay",
            description = "Re-folds a run from its journal and compares the result with its stored state;"
                    + " exits with 1 if they differ. With --against, replays a finished run against another"
                    + " version of its playbook.")
    static final class Replay extends ClientCommand {
        @Parameters(paramLabel = "RUN", description = "the run's id")
        String id;

        @Option(
                names = "--full",
                description =
                        "fold from the first entry and check every snapshot, instead of from the newest" + " snapshot")
        boolean full;

        @Option(
                names = "--against",
                paramLabel = "PLAYBOOK@VERSION|FILE",
                description = "instead, replay the finished run against another version of its playbook (a loaded"
                        + " version, or a YAML file not loaded yet) without calling any agent, and show where it"
                        + " would behave differently")
        String against;

        @Option(names = "--json", description = "print the report as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            if (against != null) {
                var report = client.post(
                        "/api/runs/" + ServerClient.segment(id) + "/replay", WhatIfPrinter.target("against", against));
                if (json) {
                    printJson(report);
                } else {
                    WhatIfPrinter.print(out(), report);
                }
                return;
            }
            var report = client.post(
                    "/api/runs/" + ServerClient.segment(id) + "/replay?full=" + full,
                    Json.mapper().createObjectNode());
            var divergences = Text.strings(report, "divergences");
            if (json) {
                printJson(report);
            } else if (divergences.isEmpty()) {
                out().println("matches: " + report.path("entries").asLong() + " entries replayed from entry "
                        + (report.path("fromSnapshot").asLong() + 1));
            } else {
                divergences.forEach(out()::println);
            }
            if (!divergences.isEmpty()) {
                out().flush();
                throw new CliException(
                        CliException.FAILED,
                        divergences.size() + (divergences.size() == 1 ? " divergence" : " divergences")
                                + " between run " + id + "'s journal and its stored state; stop aios and run"
                                + " 'aios admin verify', then 'aios admin rebuild'");
            }
        }
    }
}
