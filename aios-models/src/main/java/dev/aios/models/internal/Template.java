package dev.aios.models.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt template: text with {@code {{path}}} placeholders, nothing more. A path starts at one of
 * the roots ({@code input}, {@code run}, {@code memory}) and follows object fields with dots: {@code
 * {{input.lead.name}}}. Text values are inserted as they are, other values as JSON, missing ones as
 * nothing. Logic (conditions, defaults) belongs in the step's CEL input, which feeds the template.
 */
final class Template {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");
    private static final Pattern PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_-]*)*");

    /** The roots a path may start at. */
    static final Set<String> ROOTS = Set.of("input", "run", "memory");

    private final String source;
    private final List<String> paths;

    private Template(String source, List<String> paths) {
        this.source = source;
        this.paths = List.copyOf(paths);
    }

    /**
     * Checks and keeps {@code source}.
     *
     * @throws IllegalArgumentException naming a placeholder that is malformed or starts at an unknown root
     */
    static Template of(String source) {
        var paths = new ArrayList<String>();
        Matcher matcher = PLACEHOLDER.matcher(source);
        int end = 0;
        while (matcher.find()) {
            unclosed(source.substring(end, matcher.start()));
            String path = matcher.group(1);
            if (!PATH.matcher(path).matches()) {
                throw new IllegalArgumentException("'{{" + path + "}}' is not a path; write e.g. {{input.name}}");
            }
            String root = path.contains(".") ? path.substring(0, path.indexOf('.')) : path;
            if (!ROOTS.contains(root)) {
                throw new IllegalArgumentException("'{{" + path + "}}' starts at '" + root
                        + "'; a template may use input (the step's input), run (id, subject, step, playbook)"
                        + " and memory (what was recalled)");
            }
            paths.add(path);
            end = matcher.end();
        }
        unclosed(source.substring(end));
        return new Template(source, paths);
    }

    private static void unclosed(String text) {
        int open = text.indexOf("{{");
        if (open >= 0) {
            String near = text.substring(open, Math.min(text.length(), open + 30));
            throw new IllegalArgumentException("'" + near + "' opens a placeholder that is not closed with }}");
        }
    }

    /** Whether the template uses {@code root} anywhere. */
    boolean uses(String root) {
        return paths.stream().anyMatch(path -> path.equals(root) || path.startsWith(root + "."));
    }

    /** The text with every placeholder filled from {@code roots}. */
    String render(Map<String, JsonNode> roots) {
        Matcher matcher = PLACEHOLDER.matcher(source);
        var out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(text(lookUp(roots, matcher.group(1)))));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static JsonNode lookUp(Map<String, JsonNode> roots, String path) {
        String[] parts = path.split("\\.");
        JsonNode node = roots.get(parts[0]);
        for (int i = 1; i < parts.length && node != null; i++) {
            node = node.get(parts[i]);
        }
        return node;
    }

    private static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "";
        }
        return node.isValueNode() ? node.asText() : node.toString();
    }

    @Override
    public String toString() {
        return source;
    }
}
