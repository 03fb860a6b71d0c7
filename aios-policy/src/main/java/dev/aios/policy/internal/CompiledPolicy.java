package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.kernel.spi.Verdict;
import dev.aios.policy.PolicyException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A policy ready to evaluate: its document, and every rule compiled. Immutable; evaluating it only
 * reads.
 */
public record CompiledPolicy(
        JsonNode document,
        Map<String, Rules.AgentProfile> agents,
        Map<String, PolicyCel.Rule> segments,
        String segmentRecord,
        List<Rules.Gate> gates,
        Map<String, Rules.Flag> flags,
        Rules.Privacy privacy,
        List<Rules.Limit> limits,
        Rules.Escalation escalation,
        Rules.Learning learning,
        Rules.Alerts alerts,
        Map<String, Rules.Channel> channels) {
    private static final Logger LOG = LoggerFactory.getLogger(CompiledPolicy.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** How the policy reads {@code agent}'s steps. */
    public Rules.AgentProfile profile(String agent) {
        return agents.getOrDefault(agent, Rules.AgentProfile.DEFAULT);
    }

    /** The knowledge record id segments are judged on, for {@code subject}. */
    public String recordId(String subject) {
        return segmentRecord.replace("{subject}", subject);
    }

    /**
     * The segments {@code subject} is in, judged on its knowledge {@code record} ({@code {}} when it
     * has none), in the order they are defined. A segment whose rule fails is left out and logged.
     */
    public List<String> segmentsOf(String subject, JsonNode record) {
        var vars = Map.<String, JsonNode>of("subject", JSON.textNode(subject), "record", record);
        var in = new ArrayList<String>();
        segments.forEach((name, rule) -> {
            try {
                if (rule.test(vars, other -> false)) {
                    in.add(name);
                }
            } catch (PolicyException e) {
                LOG.warn("segment '{}' could not be judged for subject '{}': {}", name, subject, e.getMessage());
            }
        });
        return in;
    }

    /** What the flags say of {@code agent} for a subject in {@code segments}, and which flag said it. */
    public record FlagSeen(Rules.FlagState state, String segment) {}

    /** The flag state of {@code agent} for a subject in {@code in}; on when no flag names it. */
    public FlagSeen flag(String agent, List<String> in) {
        var flag = flags.get(agent);
        if (flag == null) {
            return new FlagSeen(Rules.FlagState.ON, "");
        }
        for (var entry : flag.segments().entrySet()) {
            if (in.contains(entry.getKey())) {
                return new FlagSeen(entry.getValue(), entry.getKey());
            }
        }
        return new FlagSeen(flag.state(), "");
    }

    /** The gate that decided, if any, and how. */
    public record GateSeen(Verdict.Decision decision, Optional<Rules.Gate> gate, Optional<String> error) {}

    /**
     * The first gate whose rule holds over {@code vars} decides; none: auto. A gate that cannot be
     * evaluated holds the output for the operator.
     */
    public GateSeen decide(Map<String, JsonNode> vars, List<String> in) {
        for (var gate : gates) {
            try {
                if (gate.when().test(vars, in::contains)) {
                    return new GateSeen(gate.decide(), Optional.of(gate), Optional.empty());
                }
            } catch (PolicyException e) {
                return new GateSeen(Verdict.Decision.APPROVE, Optional.of(gate), Optional.of(e.getMessage()));
            }
        }
        return new GateSeen(Verdict.Decision.AUTO, Optional.empty(), Optional.empty());
    }

    /** The variables rules see for one step. */
    public static Map<String, JsonNode> vars(
            String agent,
            String subject,
            JsonNode input,
            JsonNode output,
            Optional<Double> confidence,
            Optional<Double> amount,
            JsonNode record) {
        var vars = new HashMap<String, JsonNode>();
        vars.put("agent", JSON.textNode(agent));
        vars.put("subject", JSON.textNode(subject));
        vars.put("input", input);
        vars.put("output", output);
        vars.put("confidence", confidence.<JsonNode>map(JSON::numberNode).orElse(JSON.nullNode()));
        vars.put("amount", amount.<JsonNode>map(JSON::numberNode).orElse(JSON.nullNode()));
        vars.put("record", record);
        return vars;
    }
}
