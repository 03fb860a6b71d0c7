package dev.aios.server.internal.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.JournalRecord;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A run's journal entries in words, for the timeline; and the path the run took. */
final class Timeline {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private Timeline() {}

    static Moment moment(JournalRecord entry) {
        var d = entry.data();
        String step = d.path("step").asText("");
        String summary;
        String tone = "plain";
        switch (entry.type()) {
            case "RunStarted" -> {
                summary = "started on " + d.path("playbook").asText() + "@"
                        + d.path("version").asText() + " by "
                        + d.path("trigger").path("type").asText("an event");
                tone = "ok";
            }
            case "StepScheduled" ->
                summary = "step " + step + iteration(d) + " scheduled"
                        + (d.path("handedTo").isTextual() ? "; attempt 1 started" : "");
            case "StepStarted" ->
                summary = "step " + step + iteration(d) + ": attempt "
                        + d.path("attempt").asInt() + " started";
            case "StepCompleted" -> {
                summary = "step " + step + iteration(d) + " completed"
                        + (d.path("agent").isTextual()
                                ? " by " + d.path("agent").asText()
                                : "") + " → "
                        + d.path("next").asText();
                tone = "ok";
            }
            case "StepFailed" -> {
                summary = "step " + step + iteration(d) + ": attempt "
                        + d.path("attempt").asInt() + " failed: "
                        + d.path("error").asText()
                        + (d.path("retryAt").isTextual()
                                ? "; tried again at " + d.path("retryAt").asText()
                                : "; parked for the operator");
                tone = "bad";
            }
            case "StepRetried" -> summary = "step " + step + " retried by the operator";
            case "StepDeferred" ->
                summary = "step " + step + " waits: " + d.path("reason").asText();
            case "TimerSet" ->
                summary = "step " + step + " sleeps until " + d.path("fireAt").asText();
            case "AwaitStarted" ->
                summary = "step " + step + " awaits " + d.path("eventType").asText() + " until "
                        + d.path("timeoutAt").asText();
            case "AwaitTimedOut" ->
                summary = "step " + step + " timed out → " + d.path("next").asText();
            case "TaskOpened" -> {
                summary = d.path("kind").asText() + " task " + d.path("task").asText() + " opened: "
                        + d.path("title").asText();
                tone = "task";
            }
            case "TaskResolved" -> {
                summary = "task " + d.path("task").asText() + " "
                        + d.path("decision").asText()
                        + (d.path("comment").asText("").isBlank()
                                ? ""
                                : ": " + d.path("comment").asText());
                tone = "task";
            }
            case "EffectRecorded" -> {
                summary = "step " + step + " recorded receipt " + d.path("name").asText() + " (key "
                        + d.path("key").asText() + ")";
                tone = "effect";
            }
            case "StepNoted" -> {
                summary = "step " + step + " used " + notes(d.path("notes"));
                tone = "note";
            }
            case "CompensationStarted" -> {
                summary = "undoing the run: " + d.path("reason").asText();
                tone = "bad";
            }
            case "CompensationCompleted" -> summary = "step " + step + " undone";
            case "CompensationFailed" -> {
                summary = "undoing step " + step + " failed: " + d.path("error").asText();
                tone = "bad";
            }
            case "RunCompleted" -> {
                summary = "run completed";
                tone = "ok";
            }
            case "RunFailed", "RunCancelled" -> {
                summary = (entry.type().equals("RunFailed") ? "run failed: " : "run cancelled: ")
                        + d.path("reason").asText();
                tone = "bad";
            }
            case "RunCompensated" -> summary = "run undone";
            default -> summary = entry.type();
        }
        return new Moment(
                entry.seq(),
                TIME.format(entry.at()),
                entry.type(),
                summary,
                tone,
                TaskCards.pretty(d),
                entry.checksum().substring(0, Math.min(12, entry.checksum().length())));
    }

    private static String iteration(JsonNode d) {
        int iteration = d.path("iteration").asInt(0);
        return iteration == 0 ? "" : " (time " + (iteration + 1) + ")";
    }

    /** Memory recalls and model calls in a few words, with what they cost. */
    private static String notes(JsonNode notes) {
        var parts = new java.util.ArrayList<String>();
        for (var note : notes) {
            var detail = note.path("detail");
            switch (note.path("kind").asText()) {
                case "recall" ->
                    parts.add("memory: " + detail.path("items").size() + " items recalled for \""
                            + detail.path("query").asText() + "\"");
                case "model" ->
                    parts.add("model " + detail.path("model").asText() + " ($"
                            + detail.path("costUsd").asText("0")
                            + (detail.path("cached").asBoolean() ? ", cached" : "") + ")");
                default -> parts.add(note.path("kind").asText());
            }
        }
        return parts.isEmpty() ? "nothing noted" : String.join("; ", parts);
    }

    /** The ways the run took, {@code from->to}, from its completed and timed-out steps. */
    static Set<String> path(List<JournalRecord> entries) {
        var ways = new HashSet<String>();
        for (var entry : entries) {
            if (entry.type().equals("StepCompleted") || entry.type().equals("AwaitTimedOut")) {
                ways.add(entry.data().path("step").asText() + "->"
                        + entry.data().path("next").asText());
            }
        }
        return ways;
    }
}
