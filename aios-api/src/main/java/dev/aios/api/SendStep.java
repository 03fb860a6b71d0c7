package dev.aios.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Sends a message to a stateful agent's instance for a subject. The message joins the instance's
 * queue and is handled after the messages that arrived before it; the step does not wait for it.
 * A step that runs again sends nothing new.
 *
 * @param id the step's id
 * @param agent the stateful agent's name
 * @param subject CEL yielding the subject; empty means the run's subject
 * @param message field to CEL expression
 * @param next where the run goes next
 */
public record SendStep(
        String id, String agent, Optional<String> subject, Map<String, String> message, Optional<String> next)
        implements Step {

    public SendStep {
        Step.checkId(id);
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(subject, "subject");
        message = Copies.orderedMap(message);
        Objects.requireNonNull(next, "next");
    }

    /** Sends an empty message to {@code agent} about the run's subject. */
    public static SendStep to(String id, String agent) {
        return new SendStep(id, agent, Optional.empty(), Map.of(), Optional.empty());
    }

    /** A copy that also sets message field {@code field} from CEL {@code expression}. */
    public SendStep withMessage(String field, String expression) {
        var copy = new LinkedHashMap<>(message);
        copy.put(field, expression);
        return new SendStep(id, agent, subject, copy, next);
    }

    /** A copy addressed to the instance for the subject CEL {@code expression} yields. */
    public SendStep withSubject(String expression) {
        return new SendStep(id, agent, Optional.of(expression), message, next);
    }

    /** A copy that continues with {@code next}. */
    public SendStep withNext(String next) {
        return new SendStep(id, agent, subject, message, Optional.of(next));
    }

    @Override
    public String kind() {
        return "send";
    }
}
