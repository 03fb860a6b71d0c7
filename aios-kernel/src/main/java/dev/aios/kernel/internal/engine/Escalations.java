package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.PlaybookRef;
import dev.aios.kernel.AiosException;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskView;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.WorkKind;
import dev.aios.kernel.spi.Escalation;
import dev.aios.kernel.spi.StepFacts;
import dev.aios.kernel.spi.StepPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Escalation of open tasks on a durable timer: when a task opens, the policy plans its first
 * escalation (a {@code TaskEscalated} entry of rail {@code plan}, whose projection is an {@code
 * escalate} row in the work queue); when the row comes due, the policy says what to do, which is
 * journaled in the task's history, and a default answer it takes is given to the task.
 */
final class Escalations {
    private static final Logger LOG = LoggerFactory.getLogger(Escalations.class);

    /** When escalating fails, or a default answer is being given, the timer fires again after this. */
    private static final Duration AGAIN = Duration.ofMinutes(15);

    private final Store store;
    private final Supplier<Optional<StepPolicy>> policies;
    private final Progress progress;
    private final TaskDesk desk;
    private final InstantSource clock;

    Escalations(
            Store store,
            Supplier<Optional<StepPolicy>> policies,
            Progress progress,
            TaskDesk desk,
            InstantSource clock) {
        this.store = store;
        this.policies = policies;
        this.progress = progress;
        this.desk = desk;
        this.clock = clock;
    }

    /** When the task {@code outcome} opens first escalates, if the policy plans that. */
    Optional<Instant> plan(Lease lease, RunState run, CompiledPlaybook playbook, Outcome outcome) {
        var policy = policies.get();
        if (policy.isEmpty()) {
            return Optional.empty();
        }
        var compensating = lease.kind() == WorkKind.COMPENSATE;
        String kind;
        JsonNode input;
        switch (outcome) {
            case Outcome.Review r -> {
                kind = TaskKind.REVIEW.wire();
                input = r.input();
            }
            case Outcome.Draft d -> {
                kind = TaskKind.DRAFT.wire();
                input = d.input();
            }
            case Outcome.Ask a -> {
                kind = TaskKind.APPROVAL.wire();
                input = a.input();
            }
            case Outcome.Failed f -> {
                kind = (compensating ? TaskKind.COMPENSATION : TaskKind.DEAD_LETTER).wire();
                input = f.input();
            }
            default -> {
                return Optional.empty();
            }
        }
        String agent = playbook.step(lease.step()) instanceof CompiledStep.AgentCall call ? call.agent() : "";
        var facts = new StepFacts(
                run.id,
                new PlaybookRef(playbook.name(), playbook.version()),
                lease.step(),
                lease.iteration(),
                run.subject,
                agent,
                input);
        try {
            return policy.get().escalateAt(facts, kind);
        } catch (RuntimeException e) {
            LOG.warn("the step policy failed to plan the escalation of a {} task of run {}", kind, run.id, e);
            return Optional.empty();
        }
    }

    /** An {@code escalate} item came due: escalates the open task of its step. */
    void fire(Lease lease) {
        var task = store.read(tx -> tx.tasks().openAt(lease.key()).map(Views::task));
        if (task.isEmpty()) {
            // Answering a task removes its timer; a timer without an open task is left from a crash.
            store.write(tx -> {
                tx.work().remove(lease.key(), WorkKind.ESCALATE);
                return null;
            });
            return;
        }
        var escalation = escalate(task.get());
        if (escalation.answer().isPresent()) {
            // The timer stays set until the answer is given, so that a crash in between gives it later.
            escalation = new Escalation(
                    escalation.rail(),
                    escalation.note(),
                    escalation.detail(),
                    Optional.of(clock.instant().plus(AGAIN)),
                    escalation.answer());
        }
        if (!progress.escalated(lease, task.get().id(), escalation)
                || escalation.answer().isEmpty()) {
            return;
        }
        var answer = escalation.answer().get();
        // Nobody answered: the kernel gives the declared default, and the audit log says so.
        String before = dev.aios.kernel.Actor.current();
        dev.aios.kernel.Actor.begin(dev.aios.kernel.Actor.KERNEL);
        try {
            desk.answer(
                    task.get().id(),
                    answer.approve() ? TaskAnswer.APPROVE : TaskAnswer.REJECT,
                    answer.output(),
                    answer.comment());
        } catch (AiosException e) {
            LOG.warn(
                    "the default answer to task {} could not be given: {}; it is tried again",
                    task.get().id(),
                    e.getMessage());
        } finally {
            dev.aios.kernel.Actor.begin(before);
        }
    }

    private Escalation escalate(TaskView task) {
        var policy = policies.get();
        if (policy.isEmpty()) {
            return new Escalation(
                    "none",
                    "no escalation policy is configured any more",
                    Json.object(),
                    Optional.empty(),
                    Optional.empty());
        }
        try {
            return policy.get().escalate(task);
        } catch (RuntimeException e) {
            LOG.warn("escalating task {} failed", task.id(), e);
            return new Escalation(
                    "error",
                    "escalating failed (" + e.getMessage() + "); tried again in " + AGAIN.toMinutes() + " minutes",
                    Json.object(),
                    Optional.of(clock.instant().plus(AGAIN)),
                    Optional.empty());
        }
    }
}
