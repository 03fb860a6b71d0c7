package dev.aios.policy.internal;

import dev.aios.kernel.spi.Verdict;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The parts of a compiled policy, one record per kind of rule. */
public final class Rules {
    private Rules() {}

    /** Where the policy reads an agent's confidence and amount: paths into its input or output. */
    public record AgentProfile(String confidence, String amount) {
        public static final AgentProfile DEFAULT = new AgentProfile("output.confidence", "input.amount");
    }

    /** A gate: the first whose {@code when} holds decides. */
    public record Gate(String name, PolicyCel.Rule when, Verdict.Decision decide, Optional<String> suggestion) {}

    /** A flag state. */
    public enum FlagState {
        ON,
        OFF,
        SHADOW;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Optional<FlagState> parse(String text) {
            for (var state : values()) {
                if (state.wire().equals(text)) {
                    return Optional.of(state);
                }
            }
            return Optional.empty();
        }
    }

    /** An agent's flag: a state for everyone, and states for segments, the first matching winning. */
    public record Flag(FlagState state, Map<String, FlagState> segments) {}

    /** The detectors of personal data in prompts. */
    public enum Detector {
        EMAILS,
        PHONES,
        IBANS;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Privacy: what is redacted from prompts to providers not marked local, and which segments'
     * prompts go only to local models.
     */
    public record Privacy(Set<Detector> detectors, List<String> fields, Set<String> localOnly) {
        public static final Privacy NONE = new Privacy(Set.of(), List.of(), Set.of());
    }

    /** What a limit counts. */
    public enum Scope {
        AGENT,
        SUBJECT,
        PLAYBOOK,
        CONNECTOR;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A rate or spend limit: at most {@code calls} steps (or model calls, for a connector), or at
     * most {@code spend} US dollars of model calls, per {@code per}, for each {@code scope} named
     * {@code key} ({@code *}: each one separately).
     */
    public record Limit(Scope scope, String key, Optional<Integer> calls, Optional<BigDecimal> spend, Duration per) {
        public boolean applies(String name) {
            return key.equals("*") || key.equals(name);
        }

        public String describe() {
            var what = calls.map(n -> n + " calls")
                    .orElseGet(() -> "$" + spend.orElseThrow().toPlainString());
            return scope.wire() + " " + key + ": at most " + what + " per " + Text.duration(per);
        }
    }

    /** What one escalation step does. */
    public sealed interface Action {
        /** Sends a reminder through a notification channel. */
        record Remind(String channel) implements Action {}

        /** Hands the task to a contractor. */
        record Delegate(String contractor) implements Action {}

        /** Answers the task on the operator's behalf. */
        record Default(boolean approve) implements Action {}
    }

    /** An escalation step: {@code after} the task opened, {@code action}. */
    public record Step(Duration after, Action action) {}

    /** An escalation rule: for the open tasks its {@code when} holds for, its steps in order. */
    public record EscalationRule(String name, PolicyCel.Rule when, List<Step> steps) {}

    /** A contractor tasks can be delegated to, reached through {@code channel}, for tasks of {@code kinds}. */
    public record Contractor(String name, String channel, Set<String> kinds) {}

    /**
     * Escalation: the rules, how long the operator takes per task kind (before enough answers tell),
     * and above which estimate a task goes to its rule's delegate at once.
     */
    public record Escalation(
            List<EscalationRule> rules,
            Map<String, Duration> estimates,
            Optional<Duration> delegateLongerThan,
            Map<String, Contractor> contractors) {
        public static final Escalation NONE = new Escalation(List.of(), Map.of(), Optional.empty(), Map.of());
    }

    /** When an agent's outputs earn an autonomy suggestion: a streak of unchanged approvals in a window. */
    public record Learning(int streak, Duration window, int examples, Duration keep) {
        public static final Learning DEFAULT = new Learning(20, Duration.ofDays(30), 3, Duration.ofDays(365));
    }

    /**
     * Anomaly alerts: a deviation beyond {@code factor} of the {@code baseline} median, judged over
     * the last {@code window} once it holds {@code minimum} observations; a failure rate above
     * {@code failureRate}.
     */
    public record Alerts(
            boolean enabled,
            double factor,
            Duration baseline,
            Duration window,
            int minimum,
            double failureRate,
            Optional<String> channel) {
        public static final Alerts DEFAULT =
                new Alerts(true, 3.0, Duration.ofDays(14), Duration.ofHours(1), 3, 0.2, Optional.empty());
    }

    /** A notification channel: a webhook URL, or an email address (through the email connector). */
    public record Channel(String name, Optional<URI> webhook, Optional<String> email) {}
}
