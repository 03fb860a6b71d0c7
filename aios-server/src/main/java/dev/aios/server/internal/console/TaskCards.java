package dev.aios.server.internal.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.TaskView;
import dev.aios.server.internal.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns tasks into what the inbox shows: why each is here, where it comes from, what may be answered. */
final class TaskCards {
    /** Kinds in the order the inbox shows them: what blocks work first. */
    private static final List<String> ORDER =
            List.of("dead-letter", "compensation", "loop", "budget", "approval", "review", "draft");

    private static final Map<String, String[]> KINDS = Map.of(
            "dead-letter", new String[] {"Failed steps", "Retry, skip with an output, undo the run, or cancel it."},
            "compensation", new String[] {"Failed undos", "Retry the undo or skip it and go on undoing."},
            "loop", new String[] {"Event loops", "A cascade of events was stopped; decide whether it goes on."},
            "budget", new String[] {"Budgets", "A spending limit was reached."},
            "approval", new String[] {"Approvals", "A playbook asks before it goes on."},
            "review", new String[] {"Reviews", "An agent's output was held by its approval rule."},
            "draft", new String[] {"Drafts", "No model wrote this; finish the draft and send it."});

    private TaskCards() {}

    static Comparator<String> kindOrder() {
        return Comparator.comparingInt((String kind) -> {
                    int at = ORDER.indexOf(kind);
                    return at < 0 ? ORDER.size() : at;
                })
                .thenComparing(Comparator.naturalOrder());
    }

    static String label(String kind) {
        var known = KINDS.get(kind);
        return known != null ? known[0] : capitalized(kind.replace('-', ' '));
    }

    static String hint(String kind) {
        var known = KINDS.get(kind);
        return known != null ? known[1] : "";
    }

    static TaskCard card(TaskView task, Instant now) {
        var details = task.details();
        return new TaskCard(
                task,
                label(task.kind().wire()),
                why(task),
                provenance(details),
                pretty(details.has("input") ? details.get("input") : details.path("show")),
                pretty(task.proposed()),
                age(Duration.between(task.createdAt(), now)),
                answers(task));
    }

    /** What made the task: the rule that fired, the confidence, amounts, the error and attempts. */
    private static List<Fact> why(TaskView task) {
        var facts = new ArrayList<Fact>();
        var details = task.details();
        text(details, "rule").ifPresent(rule -> facts.add(new Fact("rule that fired", rule)));
        var output = details.has("output") ? details.get("output") : task.proposed();
        if (output.path("confidence").isNumber()) {
            facts.add(new Fact(
                    "confidence",
                    String.format(Locale.ROOT, "%.2f", output.path("confidence").asDouble())));
        }
        var input = details.has("input") ? details.get("input") : details.path("show");
        for (var name : List.of("amount", "budget", "price", "monthlyPrice", "total")) {
            if (input.path(name).isNumber()) {
                facts.add(new Fact(name, input.path(name).asText()));
            }
        }
        text(details, "error").ifPresent(error -> facts.add(new Fact("error", error)));
        if (details.path("attempts").isNumber()) {
            facts.add(new Fact("attempts", details.path("attempts").asText()));
        }
        return facts;
    }

    private static List<Fact> provenance(JsonNode details) {
        var facts = new ArrayList<Fact>();
        for (var name : List.of("subject", "playbook", "agent", "trigger")) {
            text(details, name).ifPresent(value -> facts.add(new Fact(name, value)));
        }
        return facts;
    }

    /** What a task of this kind may be answered with; "edit" stands for edit-then-approve. */
    private static List<String> answers(TaskView task) {
        if (task.status() != dev.aios.kernel.TaskStatus.OPEN) {
            return List.of();
        }
        var answers = new ArrayList<String>();
        for (var option : List.of("approve", "edit", "retry", "skip", "compensate", "reject", "cancel")) {
            if (task.options().stream().anyMatch(o -> o.wire().equals(option))) {
                answers.add(option);
            }
        }
        return answers;
    }

    private static java.util.Optional<String> text(JsonNode details, String name) {
        var value = details.path(name);
        return value.isTextual() && !value.asText().isBlank()
                ? java.util.Optional.of(value.asText())
                : java.util.Optional.empty();
    }

    /** Indented JSON, "" for nothing. */
    static String pretty(JsonNode json) {
        if (json == null || json.isMissingNode() || json.isNull() || (json.isObject() && json.isEmpty())) {
            return "";
        }
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (JsonProcessingException e) {
            return json.toString();
        }
    }

    /** A duration as an operator reads it at a glance: {@code 40 s}, {@code 3 min}, {@code 2 h}, {@code 5 d}. */
    static String age(Duration age) {
        long seconds = Math.max(0, age.toSeconds());
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min";
        }
        if (seconds < 86_400) {
            return seconds / 3600 + " h";
        }
        return seconds / 86_400 + " d";
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
