package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.playbook.CompiledStep;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a conversation goes on after the turns it took: it ends once its {@code until} condition
 * holds after a turn, after {@code maxTurns} turns, or once its turns cost its budget; otherwise
 * the next participant speaks. Pure: the same transcript always gives the same answer.
 */
final class Turns {
    private Turns() {}

    /**
     * Why a conversation ends, or empty when it goes on.
     *
     * @param vars the run's variables at the conversation step
     */
    static Optional<String> endedBy(
            CompiledStep.Conversation conversation, ArrayNode transcript, Map<String, JsonNode> vars) {
        int taken = transcript.size();
        if (taken > 0 && conversation.until().test(scoped(vars, transcript))) {
            return Optional.of("until");
        }
        if (taken >= conversation.maxTurns()) {
            return Optional.of("maxTurns");
        }
        if (conversation.budget().isPresent()
                && cost(transcript).compareTo(conversation.budget().get()) >= 0) {
            return Optional.of("budget");
        }
        return Optional.empty();
    }

    /** The variables a participant and the condition see: the run's, with {@code transcript} and {@code last}. */
    static Map<String, JsonNode> scoped(Map<String, JsonNode> vars, ArrayNode transcript) {
        var scoped = new HashMap<>(vars);
        scoped.put("transcript", transcript);
        scoped.put("last", transcript.isEmpty() ? Json.mapper().nullNode() : transcript.get(transcript.size() - 1));
        return scoped;
    }

    /** The step's output when the conversation ends. */
    static JsonNode output(ArrayNode transcript, String endedBy) {
        var output = Json.object();
        output.set("transcript", transcript.deepCopy());
        output.put("turns", transcript.size());
        output.put("costUsd", cost(transcript).toPlainString());
        output.put("endedBy", endedBy);
        return output;
    }

    /** What the turns so far cost, in US dollars. */
    static BigDecimal cost(ArrayNode transcript) {
        var total = BigDecimal.ZERO;
        for (var turn : transcript) {
            total = total.add(cost(turn));
        }
        return total;
    }

    /** The {@code costUsd} a turn or a model note carries, 0 when it has none or it is not a number. */
    static BigDecimal cost(JsonNode node) {
        var text = node.path("costUsd").asText("");
        if (text.isEmpty()) {
            return BigDecimal.ZERO;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return BigDecimal.ZERO;
        }
    }
}
