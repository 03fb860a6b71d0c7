package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Reads the state of stateful agents' instances (see {@link Stateful}), so that an ordinary agent can
 * consult what an instance keeps about a subject, such as a client's history. Reached through {@link
 * AgentContext#instances()}. What a step read is part of its output, journaled like the rest.
 */
public interface Instances {

    /**
     * The state of {@code agent}'s instance for {@code subject}, as of its last handled message; empty
     * when it has none yet (no message handled) or the agent is not stateful.
     */
    Optional<JsonNode> state(String agent, String subject);
}
