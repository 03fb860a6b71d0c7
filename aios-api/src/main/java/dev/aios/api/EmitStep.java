package dev.aios.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Publishes an event. The event's id is derived from the step's idempotency key, so a step that
 * runs again publishes nothing new.
 *
 * @param id the step's id
 * @param type the event type
 * @param subject CEL yielding the subject; empty means the run's subject
 * @param data field to CEL expression
 * @param next where the run goes next
 */
public record EmitStep(
        String id, String type, Optional<String> subject, Map<String, String> data, Optional<String> next)
        implements Step {

    public EmitStep {
        Step.checkId(id);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subject, "subject");
        data = Copies.orderedMap(data);
        Objects.requireNonNull(next, "next");
    }

    /** Emits {@code type} about the run's subject with no data. */
    public static EmitStep of(String id, String type) {
        return new EmitStep(id, type, Optional.empty(), Map.of(), Optional.empty());
    }

    /** A copy that also sets {@code field} from CEL {@code expression}. */
    public EmitStep withData(String field, String expression) {
        var copy = new LinkedHashMap<>(data);
        copy.put(field, expression);
        return new EmitStep(id, type, subject, copy, next);
    }

    /** A copy with a subject from CEL {@code expression}. */
    public EmitStep withSubject(String expression) {
        return new EmitStep(id, type, Optional.of(expression), data, next);
    }

    /** A copy that continues with {@code next}. */
    public EmitStep withNext(String next) {
        return new EmitStep(id, type, subject, data, Optional.of(next));
    }

    @Override
    public String kind() {
        return "emit";
    }
}
