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
 * @param fallback the agent that does the step, with the same input, while the central policy
 *     switches {@code agent} off for the run's subject; without one, such a step becomes a task for
 *     the operator
 */
public record AgentStep(
        String id,
        String agent,
        Map<String, String> input,
        Optional<String> approval,
        Optional<String> next,
        StepOptions options,
        Optional<String> fallback)
        implements Step {

    public AgentStep {
        Step.checkId(id);
        Objects.requireNonNull(agent, "agent");
        input = Copies.orderedMap(input);
        Objects.requireNonNull(approval, "approval");
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(fallback, "fallback");
    }

    /** A step without a fallback agent. */
    public AgentStep(
            String id,
            String agent,
            Map<String, String> input,
            Optional<String> approval,
            Optional<String> next,
            StepOptions options) {
        this(id, agent, input, approval, next, options, Optional.empty());
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
        return new AgentStep(id, agent, copy, approval, next, options, fallback);
    }

    /** A copy whose output needs the operator's approval when {@code condition} holds. */
    public AgentStep withApproval(String condition) {
        return new AgentStep(id, agent, input, Optional.of(condition), next, options, fallback);
    }

    /** A copy that continues with {@code next}. */
    public AgentStep withNext(String next) {
        return new AgentStep(id, agent, input, approval, Optional.of(next), options, fallback);
    }

    /** A copy with these options. */
    public AgentStep withOptions(StepOptions options) {
        return new AgentStep(id, agent, input, approval, next, options, fallback);
    }

    /** A copy that hands the step to {@code agent} while the policy switches this step's agent off. */
    public AgentStep withFallback(String agent) {
        return new AgentStep(id, this.agent, input, approval, next, options, Optional.of(agent));
    }

    @Override
    public String kind() {
        return "agent";
    }
}
