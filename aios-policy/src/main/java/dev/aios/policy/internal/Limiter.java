package dev.aios.policy.internal;

import dev.aios.kernel.spi.StepFacts;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rate limits on agent steps, per agent, subject or playbook: sliding windows of the steps admitted.
 * A step over a limit waits until the oldest step in its window leaves it. (Spend limits and limits
 * on model connectors are checked by the model gateway, before each call.)
 */
public final class Limiter {
    /** A step that must wait: which limit, why, until when. */
    public record Deferred(String limit, String why, Instant until) {}

    private final Map<String, ArrayDeque<Instant>> windows = new ConcurrentHashMap<>();

    /** Admits {@code step} now, or says until when it waits. */
    public Optional<Deferred> admit(CompiledPolicy policy, StepFacts step, Instant now) {
        var taken = new ArrayList<ArrayDeque<Instant>>();
        for (var limit : policy.limits()) {
            if (limit.calls().isEmpty()) {
                continue;
            }
            var name =
                    switch (limit.scope()) {
                        case AGENT -> step.agent();
                        case SUBJECT -> step.subject();
                        case PLAYBOOK -> step.playbook().name();
                        case CONNECTOR -> null;
                    };
            if (name == null || !limit.applies(name)) {
                continue;
            }
            var window = windows.computeIfAbsent(
                    limit.scope().wire() + ":" + name + ":" + limit.per() + ":"
                            + limit.calls().get(),
                    k -> new ArrayDeque<>());
            synchronized (window) {
                while (!window.isEmpty() && !window.peekFirst().isAfter(now.minus(limit.per()))) {
                    window.pollFirst();
                }
                if (window.size() >= limit.calls().get()) {
                    var until = window.peekFirst().plus(limit.per());
                    return Optional.of(new Deferred(
                            limit.describe(), "limit " + limit.describe() + " is reached; the step waits", until));
                }
            }
            taken.add(window);
        }
        for (var window : taken) {
            synchronized (window) {
                window.addLast(now);
            }
        }
        return Optional.empty();
    }
}
