package dev.aios.kernel.internal.whatif;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.TreeSet;

/** Compares JSON values as a reader would: numbers by value, and a null field the same as none. */
final class Values {
    private Values() {}

    static boolean same(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return (a == null || a.isNull()) && (b == null || b.isNull());
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isObject() && b.isObject()) {
            var names = new TreeSet<String>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            return names.stream().allMatch(name -> same(a.get(name), b.get(name)));
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** The first difference between the recorded and the new value, in words. */
    static String difference(JsonNode recorded, JsonNode wouldBe) {
        return difference("", recorded, wouldBe);
    }

    private static String difference(String path, JsonNode recorded, JsonNode wouldBe) {
        if (recorded != null && wouldBe != null && recorded.isObject() && wouldBe.isObject()) {
            var names = new TreeSet<String>();
            recorded.fieldNames().forEachRemaining(names::add);
            wouldBe.fieldNames().forEachRemaining(names::add);
            for (var name : names) {
                if (!same(recorded.get(name), wouldBe.get(name))) {
                    return difference(path.isEmpty() ? name : path + "." + name, recorded.get(name), wouldBe.get(name));
                }
            }
        }
        var where = path.isEmpty() ? "" : path + " = ";
        return where + show(wouldBe) + " instead of " + show(recorded);
    }

    private static String show(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        var text = value.toString();
        return text.length() > 120 ? text.substring(0, 117) + "…" : text;
    }
}
