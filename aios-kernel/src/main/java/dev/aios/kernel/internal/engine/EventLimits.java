package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Event;
import dev.aios.kernel.InvalidInputException;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * What an event must be to be taken in: a time within years 1 to 9999 and data nested at most
 * {@link #MAX_NESTING} levels deep. Checked before anything is decided or written, so that bad
 * input is refused with a clear error instead of failing deep inside the kernel.
 */
final class EventLimits {
    /** The deepest nesting of objects and arrays accepted in event data or an operator's answer. */
    static final int MAX_NESTING = 64;

    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    private EventLimits() {}

    static void check(Event event) {
        for (String name : java.util.List.of(event.id(), event.subject())) {
            if (dev.aios.kernel.internal.journal.Pseudonyms.isPseudonym(name)) {
                throw new InvalidInputException("'" + name + "' begins with '"
                        + dev.aios.kernel.internal.journal.Pseudonyms.PREFIX
                        + "', which marks the pseudonyms of forgotten subjects and events; choose another event id or"
                        + " subject; nothing was recorded");
            }
        }
        if (event.time().isBefore(EARLIEST) || event.time().isAfter(LATEST)) {
            throw new InvalidInputException("event time " + event.time() + " is out of range; it must lie between "
                    + EARLIEST + " and " + LATEST + "; nothing was recorded");
        }
        checkNesting("event data", event.data());
    }

    /** Refuses {@code json} nested deeper than {@link #MAX_NESTING} levels, naming {@code what}. */
    static void checkNesting(String what, JsonNode json) {
        int depth = depth(json);
        if (depth > MAX_NESTING) {
            throw new InvalidInputException(what + " is nested more than " + MAX_NESTING
                    + " levels deep, the limit. Flatten it; nothing was recorded");
        }
    }

    /** How deeply objects and arrays nest in {@code json} (a scalar is 0), without recursion. */
    static int depth(JsonNode json) {
        record At(JsonNode node, int depth) {}
        int deepest = 0;
        var todo = new ArrayDeque<At>();
        todo.push(new At(json, 0));
        while (!todo.isEmpty()) {
            var at = todo.pop();
            if (at.node().isContainerNode()) {
                int depth = at.depth() + 1;
                deepest = Math.max(deepest, depth);
                if (depth > MAX_NESTING) {
                    continue;
                }
                at.node().forEach(child -> todo.push(new At(child, depth)));
            }
        }
        return deepest;
    }
}
