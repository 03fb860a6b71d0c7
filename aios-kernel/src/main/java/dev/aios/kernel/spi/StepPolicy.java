package dev.aios.kernel.spi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.TaskView;
import java.time.Instant;
import java.util.Optional;

/**
 * Central policy over agent steps, registered by an extension with {@link
 * ExtensionHost#stepPolicy}. The kernel consults it for every agent step, after the playbook's own
 * rules: whether the agent runs at all (its flag), and whether its output commits, waits for the
 * operator or is blocked. It also plans and fires the escalation of open tasks, on a durable timer.
 *
 * <p>Every method is called on a worker thread, never on the writer's, and may read what it needs;
 * it should not take long. A method that throws is treated as the strictest answer: the agent's
 * output waits for the operator, and a failed escalation is tried again later.
 */
public interface StepPolicy {

    /** Before the agent runs: whether it runs, as what, and which flag state it saw. */
    Admission admit(StepFacts step);

    /**
     * After the agent produced {@code output}: whether it commits. The kernel takes the stricter of
     * this verdict and the playbook's own approval rule ({@code playbookReview}), so a policy can
     * hold back what a playbook lets through, but never let through what the playbook holds back.
     */
    Verdict judge(StepFacts step, JsonNode output, boolean playbookReview);

    /**
     * When a task about to open for this step (of {@code taskKind}: review, draft, approval,
     * dead-letter or compensation) first escalates; empty when it never does.
     */
    Optional<Instant> escalateAt(StepFacts step, String taskKind);

    /**
     * An open task's escalation is due: what to do now (remind, delegate, take a default answer)
     * and when to escalate next. {@code task} carries its escalation history so far.
     */
    Escalation escalate(TaskView task);
}
