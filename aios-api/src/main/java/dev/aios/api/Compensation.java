package dev.aios.api;

import java.util.Map;
import java.util.Objects;

/**
 * What undoes a completed step: an agent called with input mapped by CEL (the run's variables,
 * where {@code steps.<id>} holds the output of the step being undone).
 *
 * @param agent the compensating agent
 * @param input input field name to CEL expression
 */
public record Compensation(String agent, Map<String, String> input) {
    public Compensation {
        Objects.requireNonNull(agent, "agent");
        input = Copies.orderedMap(input);
    }
}
