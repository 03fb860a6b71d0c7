package dev.aios.server.internal.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import dev.aios.server.internal.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's edit of an output, checked: whether it is JSON, whether it fits the agent's
 * contract, and how it differs from the draft, field by field (text fields line by line).
 *
 * @param text the edit as typed
 * @param edited the edit parsed, when it is JSON
 * @param problem why the edit cannot be approved as it is, if it cannot
 * @param changes each changed field with its diff, in the draft's field order
 */
public record EditCheck(String text, Optional<JsonNode> edited, Optional<String> problem, List<Change> changes) {

    /** Whether the edit can be approved. */
    public boolean ok() {
        return edited.isPresent() && problem.isEmpty();
    }

    /**
     * One changed field.
     *
     * @param path the field, as a JSON pointer ({@code /body})
     * @param lines the diff: each line marked {@code " "} (kept), {@code "-"} (removed) or {@code "+"} (added)
     */
    public record Change(String path, List<Line> lines) {}

    /**
     * A line of a diff.
     *
     * @param mark {@code " "}, {@code "-"} or {@code "+"}
     * @param text the line
     */
    public record Line(String mark, String text) {
        /** The line's CSS class. */
        public String css() {
            return switch (mark) {
                case "+" -> "add";
                case "-" -> "del";
                default -> "same";
            };
        }
    }

    /** A check that has not run: the draft as it is. */
    static EditCheck unchanged(String text) {
        return new EditCheck(text, Optional.empty(), Optional.empty(), List.of());
    }

    /**
     * Checks {@code text} against {@code draft}.
     *
     * @param contract what the kernel says about the parsed edit: empty when it fits
     */
    static EditCheck of(String text, JsonNode draft, java.util.function.Function<JsonNode, Optional<String>> contract) {
        JsonNode edited;
        try {
            edited = Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            return new EditCheck(
                    text,
                    Optional.empty(),
                    Optional.of("not JSON: " + e.getOriginalMessage() + " (line "
                            + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")"),
                    List.of());
        }
        if (edited == null || edited.isMissingNode()) {
            return new EditCheck(text, Optional.empty(), Optional.of("empty: type the output as JSON"), List.of());
        }
        return new EditCheck(text, Optional.of(edited), contract.apply(edited), diff(draft, edited));
    }

    /** The fields that differ, each with its diff. */
    static List<Change> diff(JsonNode before, JsonNode after) {
        var old = leaves(before);
        var now = leaves(after);
        var paths = new LinkedHashSet<String>(old.keySet());
        paths.addAll(now.keySet());
        var changes = new ArrayList<Change>();
        for (var path : paths) {
            var a = old.get(path);
            var b = now.get(path);
            if (a != null && a.equals(b)) {
                continue;
            }
            changes.add(new Change(path.isEmpty() ? "/" : path, lines(a, b)));
        }
        return changes;
    }

    private static List<Line> lines(JsonNode before, JsonNode after) {
        var a = text(before);
        var b = text(after);
        var out = new ArrayList<Line>();
        var patch = DiffUtils.diff(a, b);
        int at = 0;
        for (AbstractDelta<String> delta : patch.getDeltas()) {
            for (; at < delta.getSource().getPosition(); at++) {
                out.add(new Line(" ", a.get(at)));
            }
            delta.getSource().getLines().forEach(line -> out.add(new Line("-", line)));
            delta.getTarget().getLines().forEach(line -> out.add(new Line("+", line)));
            at = delta.getSource().getPosition() + delta.getSource().size();
        }
        for (; at < a.size(); at++) {
            out.add(new Line(" ", a.get(at)));
        }
        return out;
    }

    /** A value's lines: a text's own lines, anything else as JSON on one line; nothing for absent. */
    private static List<String> text(JsonNode value) {
        if (value == null) {
            return List.of();
        }
        return value.isTextual() ? value.asText().lines().toList() : List.of(value.toString());
    }

    /** Every scalar (and empty container) by JSON pointer, in document order. */
    private static Map<String, JsonNode> leaves(JsonNode json) {
        var out = new LinkedHashMap<String, JsonNode>();
        collect("", json, out);
        return out;
    }

    private static void collect(String path, JsonNode node, Map<String, JsonNode> out) {
        if (node == null || node.isMissingNode()) {
            return;
        }
        if (node.isContainerNode() && !node.isEmpty()) {
            if (node.isObject()) {
                node.properties()
                        .forEach(e -> collect(
                                path + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), e.getValue(), out));
            } else {
                for (int i = 0; i < node.size(); i++) {
                    collect(path + "/" + i, node.get(i), out);
                }
            }
            return;
        }
        out.put(path, node);
    }
}
