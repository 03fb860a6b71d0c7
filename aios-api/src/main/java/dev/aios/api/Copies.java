package dev.aios.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Immutable copies that keep the order the author wrote. */
final class Copies {
    private Copies() {}

    static Map<String, String> orderedMap(Map<String, String> map) {
        var copy = new LinkedHashMap<String, String>();
        map.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "key"), Objects.requireNonNull(v, k)));
        return Collections.unmodifiableMap(copy);
    }
}
