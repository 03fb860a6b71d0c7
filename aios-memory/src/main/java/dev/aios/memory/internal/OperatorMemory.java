package dev.aios.memory.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.KnowledgeKind;
import dev.aios.api.KnowledgeRecord;
import dev.aios.api.Memory;
import dev.aios.api.MemoryItem;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Recall;
import dev.aios.api.Remember;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Memory for the operator and the HTTP API: nothing is noted as provenance, and searching does not
 * count as using (it does not slow decay).
 */
public final class OperatorMemory implements Memory {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MemoryService memory;

    public OperatorMemory(MemoryService memory) {
        this.memory = memory;
    }

    @Override
    public MemoryItem remember(Remember item) {
        return memory.remember(item, item.id().orElseGet(OperatorMemory::randomId));
    }

    /** Stores {@code items} in one transaction; see {@link MemoryService#rememberAll}. */
    public dev.aios.memory.Remembered rememberAll(List<Remember> items) {
        return memory.rememberAll(
                items,
                items.stream()
                        .map(i -> i.id().orElseGet(OperatorMemory::randomId))
                        .toList());
    }

    @Override
    public Recall recall(MemoryQuery query) {
        return memory.recall(query);
    }

    @Override
    public long forget(String subject) {
        return memory.forget(subject);
    }

    @Override
    public KnowledgeRecord put(KnowledgeKind kind, String id, String subject, JsonNode content) {
        return memory.put(kind, id, subject, content, "operator");
    }

    @Override
    public Optional<KnowledgeRecord> get(String id) {
        return memory.get(id);
    }

    @Override
    public Optional<KnowledgeRecord> get(String id, int version) {
        return memory.get(id, version);
    }

    @Override
    public List<KnowledgeRecord> history(String id) {
        return memory.history(id);
    }

    private static String randomId() {
        var bytes = new byte[10];
        RANDOM.nextBytes(bytes);
        return "m-" + HexFormat.of().formatHex(bytes);
    }
}
