package dev.aios.kernel.internal.playbook;

import java.util.Map;

/**
 * Where each part of a playbook was written: model paths such as {@code trigger.when}, {@code
 * steps[2]}, {@code steps[2].next} or {@code steps[0].input.budget} mapped to 1-based lines.
 *
 * @param lines path to line
 */
public record SourceMap(Map<String, Integer> lines) {

    private static final SourceMap NONE = new SourceMap(Map.of());

    public SourceMap {
        lines = Map.copyOf(lines);
    }

    /** The map of a playbook that has no source text, such as one built in Java. */
    public static SourceMap none() {
        return NONE;
    }

    /** The line of {@code path}, else of its nearest parent path, else 0 (unknown). */
    public int line(String path) {
        var current = path;
        while (!current.isEmpty()) {
            var line = lines.get(current);
            if (line != null) {
                return line;
            }
            current = parent(current);
        }
        return 0;
    }

    static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.endsWith("]") ? path.lastIndexOf('[') : -1);
        return cut <= 0 ? "" : path.substring(0, cut);
    }
}
