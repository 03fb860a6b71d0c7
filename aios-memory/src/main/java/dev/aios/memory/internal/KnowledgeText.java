package dev.aios.memory.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.KnowledgeKind;

/** JSON as searchable text: one {@code path: value} line per value, e.g. {@code contact.email: ada@acme.test}. */
final class KnowledgeText {
    private KnowledgeText() {}

    static String of(KnowledgeKind kind, String id, JsonNode content) {
        var text = new StringBuilder(kind.wire()).append(' ').append(id).append('\n');
        flatten("", content, text, Integer.MAX_VALUE);
        return text.toString().strip();
    }

    /** Appends {@code node} as lines to {@code out}, stopping once it holds {@code max} characters. */
    static void flatten(String path, JsonNode node, StringBuilder out, int max) {
        if (out.length() >= max) {
            return;
        }
        if (node.isObject()) {
            node.properties()
                    .forEach(e ->
                            flatten(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), out, max));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(path + "[" + i + "]", node.get(i), out, max);
            }
        } else if (!node.isNull() && !node.isMissingNode()) {
            out.append(path).append(": ").append(node.asText()).append('\n');
        }
    }
}
