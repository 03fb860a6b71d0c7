package dev.aios.connectors.internal.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.AgentContext;
import dev.aios.api.AgentStep;
import dev.aios.api.ApprovalStep;
import dev.aios.api.JsonAgent;
import dev.aios.api.JsonContract;
import dev.aios.api.PermanentFailure;
import dev.aios.api.Playbook;
import dev.aios.api.Step;
import dev.aios.api.Trigger;
import dev.aios.connectors.DeliveryStatus;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Failed deliveries in the operator's inbox: the playbook {@value #PLAYBOOK} starts on every {@code
 * delivery.failed} event and asks the operator to send the delivery again (approve) or drop it
 * (reject), showing where it was going, what it carried and why it failed; the agents {@code
 * resend-delivery} and {@code drop-delivery} do what was chosen. A delivery sent again that fails
 * again comes back as a new item.
 */
public final class FailedDeliveries {
    /** The playbook's name. */
    public static final String PLAYBOOK = "failed-delivery";

    private static final ObjectMapper JSON = new ObjectMapper();

    private FailedDeliveries() {}

    /** The playbook that puts a failed delivery in the inbox. */
    public static Playbook playbook() {
        return Playbook.builder(PLAYBOOK)
                .description("Asks the operator whether to send an outgoing webhook that has no attempts left"
                        + " again, or to drop it.")
                .trigger(Trigger.on(Deliveries.FAILED))
                .step(ApprovalStep.of(
                                "decide",
                                "A webhook could not be delivered: approve to send it again, reject to drop it")
                        .withShow("subscription", "event.data.subscription")
                        .withShow("url", "event.data.url")
                        .withShow("carrying", "event.data.type")
                        .withShow("attempts", "event.data.attempts")
                        .withShow("error", "event.data.error")
                        .withShow("delivery", "event.data.delivery")
                        .withNext("resend")
                        .withOnReject("drop"))
                .step(AgentStep.of("resend", "resend-delivery")
                        .withInput("delivery", "event.data.delivery")
                        .withNext(Step.END))
                .step(AgentStep.of("drop", "drop-delivery").withInput("delivery", "event.data.delivery"))
                .build();
    }

    /** {@code resend-delivery}: makes a failed delivery pending again, with all its attempts. */
    public static JsonAgent resend(Deliveries deliveries) {
        return agent(
                "resend-delivery",
                "Sends a failed outgoing webhook again, with all its attempts.",
                deliveries,
                (id, status) -> {
                    if (status == DeliveryStatus.FAILED) {
                        deliveries.retry(id);
                    }
                    return status == DeliveryStatus.FAILED;
                });
    }

    /** {@code drop-delivery}: drops a failed delivery, so that it is never sent. */
    public static JsonAgent drop(Deliveries deliveries) {
        return agent("drop-delivery", "Drops a failed outgoing webhook.", deliveries, (id, status) -> {
            if (status == DeliveryStatus.FAILED) {
                deliveries.drop(id);
            }
            return status == DeliveryStatus.FAILED;
        });
    }

    /**
     * An agent that acts on a delivery through {@code act} (given its id and status; true when it
     * changed it) and answers with where the delivery stands then. A delivery that is no longer
     * failed (sent again with {@code aios deliveries --retry} meanwhile) is left as it is.
     */
    private static JsonAgent agent(
            String name, String description, Deliveries deliveries, BiPredicate<String, DeliveryStatus> act) {
        var contract = new JsonContract(
                name, "1.0.0", description, schema("""
                        {"type": "object", "properties": {"delivery": {"type": "string", "minLength": 1}},
                         "required": ["delivery"]}
                        """), schema("""
                        {"type": "object",
                         "properties": {"delivery": {"type": "string"}, "status": {"type": "string"},
                                        "changed": {"type": "boolean"}},
                         "required": ["delivery", "status", "changed"]}
                        """), List.of(), Set.of(), Duration.ofSeconds(30));
        return new JsonAgent() {
            @Override
            public JsonContract contract() {
                return contract;
            }

            @Override
            public JsonNode run(JsonNode input, AgentContext context) {
                var id = input.path("delivery").asText();
                var before = deliveries
                        .status(id)
                        .orElseThrow(() -> new PermanentFailure(
                                "there is no delivery '" + id + "' (any more); aios deliveries lists them"));
                boolean changed = act.test(id, before);
                var output = JSON.createObjectNode();
                output.put("delivery", id);
                output.put("status", deliveries.status(id).orElse(before).wire());
                output.put("changed", changed);
                return output;
            }
        };
    }

    private static JsonNode schema(String json) {
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
