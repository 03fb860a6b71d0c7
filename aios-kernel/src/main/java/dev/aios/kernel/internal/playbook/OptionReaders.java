package dev.aios.kernel.internal.playbook;

import dev.aios.api.Compensation;
import dev.aios.api.Durations;
import dev.aios.api.RetryPolicy;
import dev.aios.api.StepOptions;
import dev.aios.api.StepOptions.FailureAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads a step's (or the playbook defaults') failure options: {@code retry}, {@code timeout},
 * {@code heartbeat}, {@code compensate}, {@code onFailure} and {@code window}.
 */
final class OptionReaders {
    /** The keys these options take in a step or in {@code defaults}. */
    static final List<String> KEYS = List.of("retry", "timeout", "heartbeat", "compensate", "onFailure", "window");

    private static final List<String> RETRY_KEYS =
            List.of("attempts", "backoff", "multiplier", "maxBackoff", "jitter", "nonRetryable");

    private OptionReaders() {}

    /** The options among {@code fields}; problems are reported to {@code nodes}. */
    static StepOptions read(Map<String, Node> fields, String path, YamlNodes nodes) {
        var retry = Optional.ofNullable(fields.get("retry")).flatMap(n -> retry(n, path + ".retry", nodes));
        var timeout = Optional.ofNullable(fields.get("timeout")).flatMap(n -> duration(n, path + ".timeout", nodes));
        var heartbeat =
                Optional.ofNullable(fields.get("heartbeat")).flatMap(n -> duration(n, path + ".heartbeat", nodes));
        var compensation = Optional.ofNullable(fields.get("compensate"))
                .flatMap(n -> compensation(n, path + ".compensate", nodes));
        var onFailure =
                Optional.ofNullable(fields.get("onFailure")).flatMap(n -> onFailure(n, path + ".onFailure", nodes));
        var window = Optional.ofNullable(fields.get("window")).flatMap(n -> nodes.text(n, path + ".window"));
        try {
            return new StepOptions(retry, timeout, heartbeat, compensation, onFailure, window);
        } catch (IllegalArgumentException e) {
            nodes.problem(nodes.line(path, null), path + ": " + e.getMessage());
            return StepOptions.NONE;
        }
    }

    private static Optional<RetryPolicy> retry(Node node, String path, YamlNodes nodes) {
        var base = RetryPolicy.DEFAULT;
        if (node instanceof ScalarNode) {
            // retry: 5 means five attempts with the default pauses
            return integer(node, path, nodes)
                    .flatMap(attempts -> policy(node, path, nodes, () -> base.withMaxAttempts(attempts)));
        }
        var fields = nodes.mapping(node, path, RETRY_KEYS, "a retry policy").orElse(Map.of());
        int attempts = Optional.ofNullable(fields.get("attempts"))
                .flatMap(n -> integer(n, path + ".attempts", nodes))
                .orElse(base.maxAttempts());
        Duration backoff = Optional.ofNullable(fields.get("backoff"))
                .flatMap(n -> duration(n, path + ".backoff", nodes))
                .orElse(base.initialBackoff());
        double multiplier = Optional.ofNullable(fields.get("multiplier"))
                .flatMap(n -> decimal(n, path + ".multiplier", nodes))
                .orElse(base.multiplier());
        Duration maxBackoff = Optional.ofNullable(fields.get("maxBackoff"))
                .flatMap(n -> duration(n, path + ".maxBackoff", nodes))
                .orElse(backoff.compareTo(base.maxBackoff()) > 0 ? backoff : base.maxBackoff());
        double jitter = Optional.ofNullable(fields.get("jitter"))
                .flatMap(n -> decimal(n, path + ".jitter", nodes))
                .orElse(base.jitter());
        var nonRetryable = new ArrayList<String>();
        Optional.ofNullable(fields.get("nonRetryable"))
                .flatMap(n -> nodes.sequence(n, path + ".nonRetryable", "list error names, e.g. [ContractViolation]"))
                .ifPresent(items -> items.forEach(
                        item -> nodes.text(item, path + ".nonRetryable").ifPresent(nonRetryable::add)));
        return policy(
                node,
                path,
                nodes,
                () -> new RetryPolicy(attempts, backoff, multiplier, maxBackoff, jitter, nonRetryable));
    }

    private static Optional<RetryPolicy> policy(
            Node node, String path, YamlNodes nodes, java.util.function.Supplier<RetryPolicy> build) {
        try {
            return Optional.of(build.get());
        } catch (IllegalArgumentException e) {
            nodes.problem(node, path + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<Compensation> compensation(Node node, String path, YamlNodes nodes) {
        if (node instanceof ScalarNode) {
            return nodes.text(node, path).map(agent -> new Compensation(agent, Map.of()));
        }
        var fields = nodes.mapping(node, path, List.of("agent", "input"), "a compensation")
                .orElse(Map.of());
        var agent = nodes.requiredText(
                fields, "agent", path, node, "name the agent that undoes the step, e.g. agent: refund-payment");
        var input = fields.containsKey("input")
                ? nodes.celMap(fields.get("input"), path + ".input")
                : Map.<String, String>of();
        return agent.map(a -> new Compensation(a, input));
    }

    private static Optional<FailureAction> onFailure(Node node, String path, YamlNodes nodes) {
        return nodes.text(node, path).flatMap(text -> {
            try {
                return Optional.of(FailureAction.valueOf(text.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                nodes.problem(node, path + ": '" + text + "' is not a failure action; use park or compensate");
                return Optional.empty();
            }
        });
    }

    private static Optional<Duration> duration(Node node, String path, YamlNodes nodes) {
        return nodes.text(node, path).flatMap(text -> {
            var parsed = Durations.parse(text);
            if (parsed.isEmpty()) {
                nodes.problem(node, path + ": '" + text + "' is not a duration; write e.g. 30s, 5m or PT1H");
            }
            return parsed;
        });
    }

    private static Optional<Integer> integer(Node node, String path, YamlNodes nodes) {
        return nodes.text(node, path).flatMap(text -> {
            try {
                return Optional.of(Integer.parseInt(text.strip()));
            } catch (NumberFormatException e) {
                nodes.problem(node, path + ": '" + text + "' is not a whole number");
                return Optional.empty();
            }
        });
    }

    private static Optional<Double> decimal(Node node, String path, YamlNodes nodes) {
        return nodes.text(node, path).flatMap(text -> {
            try {
                return Optional.of(Double.parseDouble(text.strip()));
            } catch (NumberFormatException e) {
                nodes.problem(node, path + ": '" + text + "' is not a number");
                return Optional.empty();
            }
        });
    }
}
