package dev.aios.memory;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.KnowledgeRecord;
import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import java.util.List;

/** An agent that uses memory as agents do: recalls, reads a record, leaves a note. */
final class LookUp implements Agent<LookUp.Ask, LookUp.Found> {
    record Ask(String client, String need) {}

    record Found(List<String> items, String record) {}

    static final String PLAYBOOK = """
            name: look
            trigger: question.asked
            steps:
              - id: look
                agent: look-up
                input: { client: run.subject, need: event.data.need }
            """;

    @Override
    public Contract<Ask, Found> contract() {
        return Contract.of("look-up", "1.0.0", Ask.class, Found.class);
    }

    @Override
    public Found run(Ask input, AgentContext context) {
        var memory = context.memory().orElseThrow();
        // Notes and records: the event that started the run holds the very same words and would come first.
        var recall = memory.recall(MemoryQuery.of(input.need())
                .withKinds(MemoryKind.NOTE, MemoryKind.KNOWLEDGE)
                .withK(3));
        var record = memory.get("customer/" + input.client());
        memory.remember(Remember.of(MemoryKind.NOTE, input.client(), input.client() + " asked about " + input.need()));
        return new Found(
                recall.items().stream().map(MemoryHit::ref).toList(),
                record.map(KnowledgeRecord::ref).orElse(""));
    }
}
