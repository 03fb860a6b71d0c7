package dev.aios.server.internal.cli;

import java.util.ArrayList;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aios schedules}: the scheduled playbooks and when they fire next. */
@Command(name = "schedules", description = "Lists the scheduled playbooks and their next firing times.")
final class ScheduleCommand extends ClientCommand {
    @Option(names = "--next", paramLabel = "N", description = "how many next firings to show (default 3)")
    int next = 3;

    @Option(names = "--json", description = "print the server's answer as JSON")
    boolean json;

    @Override
    void run(ServerClient client) {
        var schedules = client.get("/api/schedules", Map.of("next", String.valueOf(next)));
        if (json) {
            printJson(schedules);
            return;
        }
        var table = Table.withColumns("PLAYBOOK", "SCHEDULE", "MISSED", "NEXT");
        for (var schedule : schedules) {
            var times = new ArrayList<String>();
            schedule.path("next").forEach(time -> times.add(time.asText()));
            table.row(
                    Text.field(schedule, "playbook"),
                    Text.field(schedule, "schedule"),
                    Text.field(schedule, "missed"),
                    String.join(", ", times));
        }
        table.print(
                out(),
                "no scheduled playbooks; give a playbook trigger: { schedule: \"0 9 * * MON\" } or { every: 15m }");
    }
}
