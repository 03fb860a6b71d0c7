package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashSet;

/**
 * What the operator changed in an output: one {@code {"path", "from", "to"}} per value that differs,
 * with paths such as {@code /body} or {@code /lines/2/price}; a missing value is {@code null}.
 */
public final class JsonDiff {
    private JsonDiff() {}

    public static ArrayNode of(JsonNode from, JsonNode to) {
        var changes = JsonNodeFactory.instance.arrayNode();
        walk("", from, to, changes);
        return changes;
    }

    private static void walk(String path, JsonNode from, JsonNode to, ArrayNode changes) {
        if (from != null && to != null && from.equals(to)) {
            return;
        }
        if (from != null && to != null && from.isObject() && to.isObject()) {
            var names = new LinkedHashSet<String>();
            from.fieldNames().forEachRemaining(names::add);
            to.fieldNames().forEachRemaining(names::add);
            for (var name : names) {
                walk(path + "/" + name, from.get(name), to.get(name), changes);
            }
            return;
        }
        if (from != null && to != null && from.isArray() && to.isArray() && from.size() == to.size()) {
            for (int i = 0; i < from.size(); i++) {
                walk(path + "/" + i, from.get(i), to.get(i), changes);
            }
            return;
        }
        var change = changes.addObject().put("path", path.isEmpty() ? "/" : path);
        change.set("from", from == null ? JsonNodeFactory.instance.nullNode() : from);
        change.set("to", to == null ? JsonNodeFactory.instance.nullNode() : to);
    }
}
