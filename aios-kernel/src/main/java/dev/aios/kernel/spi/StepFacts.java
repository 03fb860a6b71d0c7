package dev.aios.kernel.spi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.PlaybookRef;
import java.util.Objects;

/**
 * An agent step as the policy sees it.
 *
 * @param runId the run
 * @param playbook the playbook version the run is pinned to
 * @param step the step's id
 * @param iteration how many times the step was entered before in this run
 * @param subject the run's subject ("" for none)
 * @param agent the agent the step names
 * @param input the step's input, as evaluated for this attempt
 */
public record StepFacts(
        String runId, PlaybookRef playbook, String step, int iteration, String subject, String agent, JsonNode input) {
    public StepFacts {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(playbook, "playbook");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(input, "input");
    }
}
