package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.kernel.TaskView;
import dev.aios.kernel.spi.Escalation;
import dev.aios.kernel.spi.StepFacts;
import dev.aios.policy.PolicyException;
import dev.aios.policy.internal.Rules.Action;
import dev.aios.policy.spi.Notification;
import dev.aios.policy.spi.Notifier;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Escalation rails: an open task matching a rule escalates step by step, {@code after} it opened
 * (a reminder through a channel, delegation to a contractor, a default answer). A task whose
 * estimated operator time is longer than {@code delegateLongerThan} goes to its rule's delegate at
 * once. The kernel keeps the timer and the history; this decides what is due.
 */
public final class Escalator {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Set<String> DONE = Set.of("remind", "delegate", "default");
    private static final Duration AGAIN = Duration.ofMinutes(15);

    private final Notifier notifier;
    private final BiFunction<String, String, Optional<Duration>> learnedEstimate;
    private final InstantSource clock;

    /**
     * @param learnedEstimate the operator's median time on tasks of a kind and agent, once answers
     *     tell
     */
    public Escalator(
            Notifier notifier, BiFunction<String, String, Optional<Duration>> learnedEstimate, InstantSource clock) {
        this.notifier = notifier;
        this.learnedEstimate = learnedEstimate;
        this.clock = clock;
    }

    /** How long the operator takes on a task of {@code kind} for {@code agent}, if known. */
    public Optional<Duration> estimate(CompiledPolicy policy, String kind, String agent) {
        return learnedEstimate
                .apply(kind, agent)
                .or(() -> Optional.ofNullable(policy.escalation().estimates().get(kind)));
    }

    Optional<Instant> plan(PolicyState.Current current, StepFacts step, String kind, CentralPolicy central) {
        var policy = current.policy();
        var rule = match(
                policy, kind, step.step(), step.playbook().name(), step.agent(), step.subject(), step.input(), central);
        if (rule.isEmpty()) {
            return Optional.empty();
        }
        var now = clock.instant();
        if (delegatesAtOnce(policy, rule.get(), kind, step.agent())) {
            return Optional.of(now);
        }
        return Optional.of(now.plus(rule.get().steps().getFirst().after()));
    }

    Escalation escalate(PolicyState.Current current, TaskView task, CentralPolicy central) {
        var policy = current.policy();
        var details = task.details();
        var agent = details.path("agent").asText("").replaceFirst("@.*$", "");
        var playbook = details.path("playbook").asText("").replaceFirst("@.*$", "");
        var subject = details.path("subject").asText("");
        var input = details.has("input") ? details.path("input") : details.path("show");
        var rule = match(policy, task.kind().wire(), task.stepId(), playbook, agent, subject, input, central);
        if (rule.isEmpty()) {
            return nothing(
                    "no escalation rule applies to this task any more (policy version " + current.version() + ")");
        }
        var steps = rule.get().steps();
        int done = (int) task.escalations().stream()
                .filter(e -> DONE.contains(e.path("rail").asText()))
                .count();
        int index = done;
        if (delegatesAtOnce(policy, rule.get(), task.kind().wire(), agent)) {
            for (int i = done; i < steps.size(); i++) {
                if (steps.get(i).action() instanceof Action.Delegate) {
                    index = i;
                    break;
                }
            }
        }
        if (index >= steps.size()) {
            return nothing("every step of escalation rule " + rule.get().name() + " was taken");
        }
        var now = clock.instant();
        var step = steps.get(index);
        var due = task.createdAt().plus(step.after());
        if (due.isAfter(now) && index == done) {
            return new Escalation("plan", "escalates at " + due, JSON.objectNode(), Optional.of(due), Optional.empty());
        }
        Optional<Instant> next = index + 1 < steps.size()
                ? Optional.of(
                        max(now, task.createdAt().plus(steps.get(index + 1).after())))
                : Optional.empty();
        var key = task.id() + ":escalation:" + index;
        return switch (step.action()) {
            case Action.Remind remind -> {
                var sent = deliver(policy, remind.channel(), key, "Waiting for you: " + task.title(), task);
                yield sent.isPresent()
                        ? new Escalation(
                                "remind",
                                "reminded through " + remind.channel() + " (" + sent.get() + "), rule "
                                        + rule.get().name(),
                                JSON.objectNode()
                                        .put("channel", remind.channel())
                                        .put("receipt", sent.get()),
                                next,
                                Optional.empty())
                        : failed(remind.channel(), sent);
            }
            case Action.Delegate delegate -> {
                var contractor = policy.escalation().contractors().get(delegate.contractor());
                if (contractor == null
                        || !contractor.kinds().contains(task.kind().wire())) {
                    yield new Escalation(
                            "skip",
                            "contractor " + delegate.contractor() + " does not take " + task.kind() + " tasks",
                            JSON.objectNode(),
                            next,
                            Optional.empty());
                }
                var sent = deliver(policy, contractor.channel(), key, "Delegated to you: " + task.title(), task);
                if (sent.isEmpty()) {
                    yield failed(contractor.channel(), sent);
                }
                var detail = JSON.objectNode()
                        .put("contractor", contractor.name())
                        .put("scope", "task:" + task.kind())
                        .put("receipt", sent.get());
                var why = estimate(policy, task.kind().wire(), agent)
                        .map(e -> " (estimated " + Text.duration(e) + " of your time)")
                        .orElse("");
                yield new Escalation(
                        "delegate",
                        "delegated to " + contractor.name() + why + ", who may answer " + task.kind() + " tasks; rule "
                                + rule.get().name(),
                        detail,
                        next,
                        Optional.empty());
            }
            case Action.Default answer ->
                new Escalation(
                        "default",
                        (answer.approve() ? "approved" : "rejected") + " by the default action of rule "
                                + rule.get().name(),
                        JSON.objectNode().put("answer", answer.approve() ? "approve" : "reject"),
                        Optional.empty(),
                        Optional.of(new Escalation.Answer(
                                answer.approve(),
                                Optional.empty(),
                                "default action of escalation rule "
                                        + rule.get().name() + " after " + Text.duration(step.after()))));
        };
    }

    private Optional<Rules.EscalationRule> match(
            CompiledPolicy policy,
            String kind,
            String stepId,
            String playbook,
            String agent,
            String subject,
            JsonNode input,
            CentralPolicy central) {
        if (policy.escalation().rules().isEmpty()) {
            return Optional.empty();
        }
        var record = central.record(policy, subject);
        var in = policy.segmentsOf(subject, record);
        var vars =
                CompiledPolicy.vars(agent, subject, input, JSON.nullNode(), Optional.empty(), Optional.empty(), record);
        var taskJson = JSON.objectNode().put("kind", kind).put("step", stepId).put("playbook", playbook);
        vars.put("task", taskJson);
        for (var rule : policy.escalation().rules()) {
            try {
                if (rule.when().test(vars, in::contains)) {
                    return Optional.of(rule);
                }
            } catch (PolicyException e) {
                // a rule that cannot be judged for this task does not apply; the next one may
            }
        }
        return Optional.empty();
    }

    private boolean delegatesAtOnce(CompiledPolicy policy, Rules.EscalationRule rule, String kind, String agent) {
        var threshold = policy.escalation().delegateLongerThan();
        if (threshold.isEmpty() || rule.steps().stream().noneMatch(s -> s.action() instanceof Action.Delegate)) {
            return false;
        }
        return estimate(policy, kind, agent)
                .filter(e -> e.compareTo(threshold.get()) > 0)
                .isPresent();
    }

    /** What notifying gave: the receiver's answer, or why it failed. */
    private record Sent(Optional<String> receipt, String failure) {
        boolean isPresent() {
            return receipt.isPresent();
        }

        boolean isEmpty() {
            return receipt.isEmpty();
        }

        String get() {
            return receipt.orElseThrow();
        }
    }

    private Sent deliver(CompiledPolicy policy, String channelName, String key, String title, TaskView task) {
        var channel = policy.channels().get(channelName);
        if (channel == null) {
            return new Sent(Optional.empty(), "no channel " + channelName + " in the policy");
        }
        var body = JSON.objectNode()
                .put("task", task.id())
                .put("kind", task.kind().wire())
                .put("run", task.runId())
                .put("step", task.stepId())
                .put("openedAt", task.createdAt().toString())
                .put("explanation", task.explanation());
        try {
            return new Sent(
                    Optional.of(notifier.send(
                            new Notification(channelName, channel.webhook(), channel.email(), key, title, body))),
                    "");
        } catch (RuntimeException e) {
            return new Sent(Optional.empty(), String.valueOf(e.getMessage()));
        }
    }

    private Escalation failed(String channel, Sent sent) {
        return new Escalation(
                "notify-failed",
                "could not notify " + channel + " (" + sent.failure() + "); tried again in " + Text.duration(AGAIN),
                JSON.objectNode().put("channel", channel),
                Optional.of(clock.instant().plus(AGAIN)),
                Optional.empty());
    }

    private static Escalation nothing(String why) {
        return new Escalation("none", why, JSON.objectNode(), Optional.empty(), Optional.empty());
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
