package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.AgentInstance;
import dev.aios.kernel.AgentInstanceView;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.InstanceStore;
import dev.aios.kernel.internal.store.Store;
import java.util.List;
import java.util.Optional;

/** What the operator and agents read of stateful agents' instances: lists, one instance, its state. */
final class InstanceReads {
    private final Store db;
    private final Sealing sealing;

    InstanceReads(Store db, Sealing sealing) {
        this.db = db;
        this.sealing = sealing;
    }

    /** Every instance, or those of {@code agent}. */
    List<AgentInstance> instances(Optional<String> agent) {
        return db.read(tx -> tx.instances().instances(agent)).stream()
                .map(InstanceReads::view)
                .toList();
    }

    /** One instance with its state and its newest {@code limit} messages. */
    AgentInstanceView instance(String agent, String subject, int limit) {
        return db.read(tx -> {
            var store = tx.instances();
            var instance = store.instance(agent, subject)
                    .orElseThrow(() -> new NotFoundException("agent '" + agent + "' has no instance for subject '"
                            + subject + "'; it gets one with the first message sent to it (aios agents lists them)"));
            var messages = store.messages(agent, subject, limit).stream()
                    .map(m -> new AgentInstanceView.Message(
                            m.id(),
                            m.type(),
                            m.sender(),
                            m.status(),
                            m.receivedAt(),
                            m.dueAt(),
                            m.handledAt(),
                            m.attempts(),
                            m.error(),
                            sealing.open(subject, m.body())))
                    .toList();
            var state = store.state(agent, subject)
                    .map(stored -> sealing.open(subject, stored))
                    .orElse(Json.object());
            return new AgentInstanceView(view(instance), state, messages);
        });
    }

    static AgentInstance view(InstanceStore.Instance i) {
        return new AgentInstance(
                i.agent(),
                i.subject(),
                i.queued(),
                i.handled(),
                i.failed(),
                i.createdAt(),
                i.updatedAt(),
                i.lastMessage(),
                i.lastAt(),
                i.nextDue(),
                i.endedAt());
    }

    /** The state of an instance that handled a message, for agents that consult it. */
    Optional<JsonNode> state(String agent, String subject) {
        return db.read(tx -> {
            var store = tx.instances();
            return store.instance(agent, subject)
                    .filter(instance -> instance.handled() > 0)
                    .flatMap(instance -> store.state(agent, subject))
                    .map(stored -> sealing.open(subject, stored));
        });
    }
}
