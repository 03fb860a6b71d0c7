package dev.aios.kernel.internal.playbook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Compensation;
import dev.aios.api.RetryPolicy;
import dev.aios.api.StepOptions;
import dev.aios.api.StepOptions.FailureAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Optional;

/** {@link StepOptions} as JSON inside a stored playbook; empty options are left out entirely. */
final class OptionsJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private OptionsJson() {}

    static Optional<ObjectNode> toJson(StepOptions options) {
        if (options.equals(StepOptions.NONE)) {
            return Optional.empty();
        }
        var node = JSON.objectNode();
        options.retry().ifPresent(retry -> {
            var r = node.putObject("retry");
            r.put("attempts", retry.maxAttempts());
            r.put("backoff", retry.initialBackoff().toString());
            r.put("multiplier", retry.multiplier());
            r.put("maxBackoff", retry.maxBackoff().toString());
            r.put("jitter", retry.jitter());
            var list = r.putArray("nonRetryable");
            retry.nonRetryable().forEach(list::add);
        });
        options.timeout().ifPresent(t -> node.put("timeout", t.toString()));
        options.heartbeat().ifPresent(t -> node.put("heartbeat", t.toString()));
        options.compensation().ifPresent(c -> {
            var comp = node.putObject("compensate");
            comp.put("agent", c.agent());
            var input = comp.putObject("input");
            c.input().forEach(input::put);
        });
        options.onFailure().ifPresent(f -> node.put("onFailure", f.name()));
        options.window().ifPresent(w -> node.put("window", w));
        return Optional.of(node);
    }

    static StepOptions fromJson(JsonNode node) {
        if (node == null || node.isNull()) {
            return StepOptions.NONE;
        }
        Optional<RetryPolicy> retry = Optional.ofNullable(node.get("retry")).map(r -> {
            var nonRetryable = new ArrayList<String>();
            r.path("nonRetryable").forEach(e -> nonRetryable.add(e.asText()));
            return new RetryPolicy(
                    r.path("attempts").asInt(),
                    Duration.parse(r.path("backoff").asText()),
                    r.path("multiplier").asDouble(),
                    Duration.parse(r.path("maxBackoff").asText()),
                    r.path("jitter").asDouble(),
                    nonRetryable);
        });
        Optional<Compensation> compensation = Optional.ofNullable(node.get("compensate"))
                .map(c -> {
                    var input = new LinkedHashMap<String, String>();
                    c.path("input")
                            .properties()
                            .forEach(e -> input.put(e.getKey(), e.getValue().asText()));
                    return new Compensation(c.path("agent").asText(), input);
                });
        return new StepOptions(
                retry,
                duration(node, "timeout"),
                duration(node, "heartbeat"),
                compensation,
                Optional.ofNullable(node.get("onFailure")).map(f -> FailureAction.valueOf(f.asText())),
                Optional.ofNullable(node.get("window")).map(JsonNode::asText));
    }

    private static Optional<Duration> duration(JsonNode node, String field) {
        return Optional.ofNullable(node.get(field)).map(v -> Duration.parse(v.asText()));
    }
}
