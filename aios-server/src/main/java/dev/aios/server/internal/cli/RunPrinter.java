package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;

/** Writes a run or a task for a person to read, from the API's JSON. */
final class RunPrinter {
    private final PrintWriter out;

    RunPrinter(PrintWriter out) {
        this.out = out;
    }

    /** A run: header, each step, then its tasks. */
    void run(JsonNode run) {
        out.println("run " + Text.field(run, "id"));
        line("playbook", Text.versioned(Text.field(run, "playbook"), Text.field(run, "version")));
        line("subject", Text.field(run, "subject"));
        line("status", Text.field(run, "status"));
        line("started", Text.time(run, "createdAt"));
        line("updated", Text.time(run, "updatedAt"));
        line("journal", run.path("journalEntries").asLong() + " entries");
        line("trace", dev.aios.kernel.RunTraces.traceId(Text.field(run, "id")));
        Text.optional(run, "error").ifPresent(error -> line("error", error));

        out.println();
        out.println("steps");
        if (run.path("steps").isEmpty()) {
            out.println("  none yet");
        }
        run.path("steps").forEach(this::step);

        out.println();
        out.println("tasks");
        if (run.path("tasks").isEmpty()) {
            out.println("  none");
        }
        run.path("tasks")
                .forEach(task -> out.println("  " + Text.field(task, "id") + "  " + Text.field(task, "status") + "  "
                        + Text.field(task, "kind") + "  " + Text.field(task, "title")));
    }

    /** A task with what the operator needs to decide. */
    void task(JsonNode task) {
        out.println("task " + Text.field(task, "id") + ": " + Text.field(task, "title"));
        line("status", Text.field(task, "status") + " (" + Text.field(task, "kind") + ")");
        line("run", Text.field(task, "runId") + ", step " + Text.field(task, "stepId"));
        Text.optional(task, "explanation").ifPresent(why -> line("why", why));
        line("created", Text.time(task, "createdAt"));
        line("options", String.join(", ", Text.strings(task, "options")));
        var id = Text.field(task, "id");
        var label = "answer";
        for (var option : Text.strings(task, "options")) {
            line(label, option + ": " + answerCommand(option, id, Text.field(task, "kind")));
            label = "";
        }
        Text.optional(task.path("details"), "rule").ifPresent(rule -> line("rule", rule));
        json("details", task.path("details"));
        json("proposed", task.path("proposed"));
        label = "escalated";
        for (var escalation : task.path("escalations")) {
            line(
                    label,
                    Text.time(escalation, "at") + "  " + Text.field(escalation, "rail") + ": "
                            + Text.field(escalation, "note"));
            label = "";
        }
        Text.optional(task, "resolvedAt").ifPresent(at -> line("resolved", Text.time(task, "resolvedAt")));
        json("resolution", task.path("resolution"));
    }

    private void step(JsonNode step) {
        var name = Text.field(step, "id");
        int iteration = step.path("iteration").asInt();
        if (iteration > 0) {
            name += " #" + (iteration + 1);
        }
        int attempts = step.path("attempts").size();
        var header = new StringBuilder("  ")
                .append(name)
                .append(" (")
                .append(Text.field(step, "kind"))
                .append(")  ")
                .append(Text.field(step, "status"))
                .append("  ")
                .append(attempts)
                .append(attempts == 1 ? " attempt" : " attempts")
                .append("  scheduled ")
                .append(Text.time(step, "scheduledAt"));
        var scheduled = Text.instant(step, "scheduledAt");
        var ended = Text.instant(step, "endedAt");
        if (scheduled.isPresent() && ended.isPresent()) {
            header.append(", took ").append(Text.duration(Duration.between(scheduled.get(), ended.get())));
        }
        out.println(header);
        Text.optional(step, "agent").ifPresent(agent -> detail("agent", agent));
        detail("playbook", Text.shortVersion(Text.field(step, "playbookVersion")));
        stepJson("input", step.path("input"));
        if (Text.field(step, "kind").equals("conversation")
                && step.path("output").path("transcript").isArray()) {
            transcript(step.path("output"));
        } else {
            stepJson("output", step.path("output"));
        }
        Text.optional(step, "error").ifPresent(error -> detail("error", error));
        step.path("receipts")
                .forEach(receipt -> detail(
                        "receipt",
                        Text.field(receipt, "name") + "  key " + Text.field(receipt, "key") + "  "
                                + Text.compact(receipt.path("result"))));
        step.path("provenance").forEach(used -> detail("provenance", provenance(used)));
        if (attempts > 1) {
            step.path("attempts").forEach(attempt -> Text.optional(attempt, "error")
                    .ifPresent(error -> detail(
                            "attempt " + attempt.path("attempt").asInt(),
                            Text.field(attempt, "outcome") + " at " + Text.time(attempt, "startedAt") + ": " + error)));
        }
    }

    /** A conversation turn by turn: who spoke, with which agent, at what model cost, saying what. */
    private void transcript(JsonNode output) {
        var summary = output.path("turns").asInt() + " turns";
        if (output.has("endedBy")) {
            summary += ", ended by " + Text.field(output, "endedBy") + ", cost $" + Text.field(output, "costUsd");
        }
        detail("transcript", summary);
        output.path("transcript")
                .forEach(turn -> detail(
                        "turn " + (turn.path("turn").asInt() + 1),
                        Text.field(turn, "speaker") + " (" + Text.field(turn, "agent") + ", $"
                                + Text.field(turn, "costUsd") + ")  " + Text.compact(turn.path("output"))));
    }

    /** The command that answers a task with {@code option}. */
    static String answerCommand(String option, String taskId, String kind) {
        return switch (option) {
            case "approve" -> "aios approve " + taskId;
            case "edit" -> "aios approve " + taskId + " --edit JSON";
            case "reject" -> "aios reject " + taskId;
            case "retry" -> "aios retry " + taskId;
            case "skip" -> "aios skip " + taskId + (kind.equals("dead-letter") ? " --output JSON" : "");
            case "compensate" -> "aios compensate " + taskId;
            case "cancel" -> "aios reject " + taskId + " (cancels the run, undoing nothing)";
            default -> "-";
        };
    }

    private static String provenance(JsonNode used) {
        var detail = used.path("detail");
        var kind = Text.field(used, "kind");
        if (kind.equals("recall") && detail.has("items")) {
            // Memory recalled: the query, then each item as id@version with its score.
            var items = new java.util.ArrayList<String>();
            detail.path("items")
                    .forEach(item -> items.add(
                            Text.field(item, "id") + "@" + item.path("version").asInt() + " "
                                    + String.format(
                                            java.util.Locale.ROOT,
                                            "%.3f",
                                            item.path("score").asDouble())));
            return "recall '" + detail.path("query").asText() + "' → "
                    + (items.isEmpty() ? "nothing" : String.join(", ", items));
        }
        if (kind.equals("knowledge") && detail.has("record")) {
            return "knowledge " + detail.path("record").asText()
                    + (detail.path("wrote").asBoolean() ? " (written)" : "");
        }
        return kind + ": " + (detail.isTextual() ? detail.asText() : Text.compact(detail));
    }

    private void line(String label, String value) {
        out.println("  " + pad(label, 10) + value);
    }

    private void detail(String label, String value) {
        out.println("      " + pad(label, 10) + value);
    }

    private void json(String label, JsonNode value) {
        if (isSet(value)) {
            line(label, Text.compact(value));
        }
    }

    private void stepJson(String label, JsonNode value) {
        if (isSet(value)) {
            detail(label, Text.compact(value));
        }
    }

    private static boolean isSet(JsonNode value) {
        return !value.isMissingNode() && !value.isNull() && !(value.isContainerNode() && value.isEmpty());
    }

    private static String pad(String label, int width) {
        return label.length() >= width ? label + " " : label + " ".repeat(width - label.length());
    }
}
