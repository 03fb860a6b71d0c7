package dev.aios.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Calls an agent. Each input field is a CEL expression over the run ({@code event}, {@code steps},
 * {@code run}); the agent's output is stored as {@code steps.<id>}.
 *
 * @param id the step's id
 * @param agent the agent's name
 * @param input input field name to CEL expression
 * @param approval CEL over {@code input} and {@code output}: when true, the output waits for the
 *     operator's approval before the run continues
 * @param next where the run goes next
 * @param options retries, timeout, heartbeat, compensation and failure action
 */
public record AgentStep(
        String id,
        String agent,
        Map<String, String> input,
        Optional<String> approval,
        Optional<String> next,
        StepOptions options)
        implements Step {

    public AgentStep {
        Step.checkId(id);
        Objects.requireNonNull(agent, "agent");
        input = Copies.orderedMap(input);
        Objects.requireNonNull(approval, "approval");
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(options, "options");
    }

    /** A step with no options of its own. */
    public AgentStep(
            String id, String agent, Map<String, String> input, Optional<String> approval, Optional<String> next) {
        this(id, agent, input, approval, next, StepOptions.NONE);
    }

    /** A step calling {@code agent} with no input. */
    public static AgentStep of(String id, String agent) {
        return new AgentStep(id, agent, Map.of(), Optional.empty(), Optional.empty());
    }

    /** A copy that also maps input field {@code field} from CEL {@code expression}. */
    public AgentStep withInput(String field, String expression) {
        var copy = new LinkedHashMap<>(input);
        copy.put(field, expression);
        return new AgentStep(id, agent, copy, approval, next, options);
    }

    /** A copy whose output needs the operator's approval when {@code condition} holds. */
    public AgentStep withApproval(String condition) {
        return new AgentStep(id, agent, input, Optional.of(condition), next, options);
    }

    /** A copy that continues with {@code next}. */
    public AgentStep withNext(String next) {
        return new AgentStep(id, agent, input, approval, Optional.of(next), options);
    }

    /** A copy with these options. */
    public AgentStep withOptions(StepOptions options) {
        return new AgentStep(id, agent, input, approval, next, options);
    }

    @Override
    public String kind() {
        return "agent";
    }
}
