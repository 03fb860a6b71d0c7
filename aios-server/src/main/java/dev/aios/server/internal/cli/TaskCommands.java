package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.server.internal.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The operator's inbox: {@code tasks}, {@code task show}, {@code approve}, {@code reject}, and the
 * answers to a parked step or a failed undo: {@code retry}, {@code skip}, {@code compensate}.
 */
final class TaskCommands {
    private TaskCommands() {}

    @Command(name = "tasks", description = "Lists the open tasks in the inbox, newest first.")
    static final class Tasks extends ClientCommand {
        @Option(names = "--all", description = "also list tasks already answered or cancelled")
        boolean all;

        @Option(names = "--kind", paramLabel = "K", description = "only tasks of this kind, e.g. review or dead-letter")
        String kind;

        @Option(names = "--limit", paramLabel = "N", description = "at most N tasks, 1 to 1000 (default 500)")
        Integer limit;

        @Option(
                names = "--after",
                paramLabel = "CURSOR",
                description = "the page after this cursor, as printed at the end of the previous page")
        String after;

        @Option(names = "--json", description = "print the tasks as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            var query = new java.util.LinkedHashMap<String, String>();
            query.put("all", Boolean.toString(all));
            query.put("kind", kind);
            query.put("limit", limit == null ? null : limit.toString());
            query.put("after", after);
            var page = client.list("/api/tasks", query);
            var tasks = page.items();
            if (json) {
                printJson(tasks);
                return;
            }
            var table = Table.withColumns("ID", "STATUS", "KIND", "OPTIONS", "RUN", "STEP", "CREATED", "TITLE");
            tasks.forEach(task -> table.row(
                    Text.field(task, "id"),
                    Text.field(task, "status"),
                    Text.field(task, "kind"),
                    Text.strings(task, "options").isEmpty() ? "-" : String.join("/", Text.strings(task, "options")),
                    Text.field(task, "runId"),
                    Text.field(task, "stepId"),
                    Text.time(task, "createdAt"),
                    Text.field(task, "title")));
            table.print(out(), all ? "no tasks" : "no open tasks: the inbox is empty");
            page.next().ifPresent(next -> out().println("more: aios tasks --after " + next));
        }
    }

    @Command(
            name = "task",
            description = "Shows one task.",
            subcommands = {Task.Show.class})
    static final class Task implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. 'aios task show TASK'");
        }

        @Command(name = "show", description = "Shows a task with what is needed to decide it.")
        static final class Show extends ClientCommand {
            @Parameters(paramLabel = "TASK", description = "the task's id")
            String id;

            @Option(names = "--json", description = "print the task as JSON")
            boolean json;

            @Override
            void run(ServerClient client) {
                var task = client.get("/api/tasks/" + ServerClient.segment(id));
                if (json) {
                    printJson(task);
                } else {
                    new RunPrinter(out()).task(task);
                }
            }
        }
    }

    @Command(name = "approve", description = "Approves an open task; its run continues.")
    static final class Approve extends ClientCommand {
        @Parameters(paramLabel = "TASK", description = "the task's id")
        String id;

        @Option(
                names = "--edit",
                paramLabel = "JSON",
                description = "for a review: the output to commit instead of the agent's")
        String edit;

        @Option(names = "--comment", paramLabel = "C", description = "a note kept with the answer")
        String comment;

        @Override
        void run(ServerClient client) {
            var body = Json.mapper().createObjectNode();
            if (edit != null) {
                body.set("edit", parseJsonOption("--edit", edit));
            }
            if (comment != null) {
                body.put("comment", comment);
            }
            var task = client.post("/api/tasks/" + ServerClient.segment(id) + "/approve", body);
            out().println("task " + Text.field(task, "id") + " " + Text.field(task, "status") + "; run "
                    + Text.field(task, "runId") + " continues");
        }
    }

    @Command(name = "reject", description = "Rejects an open task; its run takes its rejection path or fails.")
    static final class Reject extends ClientCommand {
        @Parameters(paramLabel = "TASK", description = "the task's id")
        String id;

        @Option(names = "--reason", paramLabel = "R", description = "why, kept with the answer")
        String reason;

        @Override
        void run(ServerClient client) {
            var body = Json.mapper().createObjectNode();
            if (reason != null) {
                body.put("reason", reason);
            }
            var task = client.post("/api/tasks/" + ServerClient.segment(id) + "/reject", body);
            out().println("task " + Text.field(task, "id") + " " + Text.field(task, "status"));
        }
    }

    @Command(
            name = "retry",
            description = "Tries a parked step (or a failed undo) again, with the same idempotency key.")
    static final class Retry extends ClientCommand {
        @Parameters(paramLabel = "TASK", description = "the task's id")
        String id;

        @Option(names = "--comment", paramLabel = "C", description = "a note kept with the answer")
        String comment;

        @Override
        void run(ServerClient client) {
            var task = client.post("/api/tasks/" + ServerClient.segment(id) + "/retry", withComment(comment));
            out().println("task " + Text.field(task, "id") + " " + Text.field(task, "status") + "; run "
                    + Text.field(task, "runId") + " tries step " + Text.field(task, "stepId") + " again");
        }
    }

    @Command(
            name = "skip",
            description = "Goes on past a parked step as if it had produced --output, or past a failed undo.")
    static final class Skip extends ClientCommand {
        @Parameters(paramLabel = "TASK", description = "the task's id")
        String id;

        @Option(
                names = "--output",
                paramLabel = "JSON",
                description =
                        "for a parked step: the output the run goes on with, checked against the agent's" + " contract")
        String output;

        @Option(names = "--comment", paramLabel = "C", description = "a note kept with the answer")
        String comment;

        @Override
        void run(ServerClient client) {
            var body = withComment(comment);
            if (output != null) {
                body.set("output", parseJsonOption("--output", output));
            }
            var task = client.post("/api/tasks/" + ServerClient.segment(id) + "/skip", body);
            out().println("task " + Text.field(task, "id") + " " + Text.field(task, "status") + "; run "
                    + Text.field(task, "runId") + " goes on past step " + Text.field(task, "stepId"));
        }
    }

    @Command(
            name = "compensate",
            description = "Answers a parked step by undoing its run's completed steps in reverse order.")
    static final class Compensate extends ClientCommand {
        @Parameters(paramLabel = "TASK", description = "the task's id")
        String id;

        @Option(names = "--comment", paramLabel = "C", description = "a note kept with the answer")
        String comment;

        @Override
        void run(ServerClient client) {
            var task = client.post("/api/tasks/" + ServerClient.segment(id) + "/compensate", withComment(comment));
            out().println("task " + Text.field(task, "id") + " " + Text.field(task, "status") + "; run "
                    + Text.field(task, "runId") + " is being undone");
        }
    }

    private static ObjectNode withComment(String comment) {
        var body = Json.mapper().createObjectNode();
        if (comment != null) {
            body.put("comment", comment);
        }
        return body;
    }
}
