package dev.aios.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Starts a run of another playbook, a child run, pinned to that playbook's version active at the
 * time. The child sees the input as its trigger's data ({@code event.data}) and shares the run's
 * subject. With {@code wait}, the step ends when the child does: its output is the child's step
 * outputs ({@code steps.<id>.<child step>}), and a child that fails fails the step. Without, the
 * step goes on at once with {@code {run, playbook, version}}. Cancelling or undoing the parent
 * reaches its children.
 *
 * @param id the step's id
 * @param playbook the child playbook's name
 * @param input field to CEL expression: the child's trigger data
 * @param waits whether the step waits for the child to end
 * @param next where the run goes next
 * @param options retries of starting the child, and what to do when the child fails
 */
public record CallStep(
        String id,
        String playbook,
        Map<String, String> input,
        boolean waits,
        Optional<String> next,
        StepOptions options)
        implements Step {

    public CallStep {
        Step.checkId(id);
        Objects.requireNonNull(playbook, "playbook");
        input = Copies.orderedMap(input);
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(options, "options");
        if (options.compensation().isPresent()) {
            throw new IllegalArgumentException("call step '" + id
                    + "' cannot declare a compensation: undoing it undoes the child run, as its own steps say");
        }
    }

    /** Calls {@code playbook} with no input and waits for it. */
    public static CallStep of(String id, String playbook) {
        return new CallStep(id, playbook, Map.of(), true, Optional.empty(), StepOptions.NONE);
    }

    /** A copy that also passes {@code field} from CEL {@code expression}. */
    public CallStep withInput(String field, String expression) {
        var copy = new LinkedHashMap<>(input);
        copy.put(field, expression);
        return new CallStep(id, playbook, copy, waits, next, options);
    }

    /** A copy that waits for the child (true) or goes on at once (false). */
    public CallStep withWait(boolean wait) {
        return new CallStep(id, playbook, input, wait, next, options);
    }

    /** A copy that continues with {@code next}. */
    public CallStep withNext(String next) {
        return new CallStep(id, playbook, input, waits, Optional.of(next), options);
    }

    /** A copy with these options. */
    public CallStep withOptions(StepOptions options) {
        return new CallStep(id, playbook, input, waits, next, options);
    }

    @Override
    public String kind() {
        return "call";
    }
}
