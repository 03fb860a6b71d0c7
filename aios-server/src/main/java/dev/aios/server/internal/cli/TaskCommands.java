package dev.aios.server.internal.cli;

import dev.aios.server.internal.Json;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The operator's inbox: {@code tasks}, {@code task show}, {@code approve}, {@code reject}. */
final class TaskCommands {
    private TaskCommands() {}

    @Command(name = "tasks", description = "Lists the open tasks in the inbox, newest first.")
    static final class Tasks extends ClientCommand {
        @Option(names = "--all", description = "also list tasks already answered or cancelled")
        boolean all;

        @Option(names = "--json", description = "print the tasks as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            var tasks = client.get("/api/tasks", Map.of("all", Boolean.toString(all)));
            if (json) {
                printJson(tasks);
                return;
            }
            var table = Table.withColumns("ID", "STATUS", "KIND", "RUN", "STEP", "CREATED", "TITLE");
            tasks.forEach(task -> table.row(
                    Text.field(task, "id"),
                    Text.field(task, "status"),
                    Text.field(task, "kind"),
                    Text.field(task, "runId"),
                    Text.field(task, "stepId"),
                    Text.time(task, "createdAt"),
                    Text.field(task, "title")));
            table.print(out(), all ? "no tasks" : "no open tasks: the inbox is empty");
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
}
