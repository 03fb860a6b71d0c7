package dev.aios.kernel.internal.engine;

import dev.aios.api.PlaybookRef;
import dev.aios.kernel.internal.agent.AgentBinding;
import java.util.Optional;

/** Finds the agent a step names: one its playbook version declares, else a registered one. */
@FunctionalInterface
interface AgentLookup {
    Optional<AgentBinding> find(PlaybookRef playbook, String name);
}
