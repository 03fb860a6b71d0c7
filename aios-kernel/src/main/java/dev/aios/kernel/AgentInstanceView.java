package dev.aios.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A stateful agent's instance with its state and recent messages, as {@code aios agent show} prints it.
 *
 * @param instance the instance
 * @param state what the agent returned for its last message ({@code {}} before the first)
 * @param messages its newest messages, queued and handled, newest first
 */
public record AgentInstanceView(AgentInstance instance, JsonNode state, List<Message> messages) {

    public AgentInstanceView {
        messages = List.copyOf(messages);
    }

    /**
     * One message of the instance.
     *
     * @param id unique; a send step's is derived from its idempotency key, an event's is the event id
     * @param type {@code agent.message} from a send step, the event's type, or {@code later}
     * @param from who sent it: {@code run:ID}, {@code event:SOURCE}, or {@code later} (the agent itself)
     * @param status queued, handled, or failed after its last attempt
     * @param receivedAt when it arrived
     * @param dueAt when it may be handled (later than {@code receivedAt} for a timer)
     * @param handledAt when it was handled or given up on
     * @param attempts how many times handling it was tried
     * @param error why its last attempt failed
     * @param body the message ({@code {"forgotten": true}} once the subject is forgotten)
     */
    public record Message(
            String id,
            String type,
            String from,
            MessageStatus status,
            Instant receivedAt,
            Instant dueAt,
            Optional<Instant> handledAt,
            int attempts,
            Optional<String> error,
            JsonNode body) {}
}
