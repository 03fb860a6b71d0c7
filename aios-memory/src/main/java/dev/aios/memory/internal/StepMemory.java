package dev.aios.memory.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.KnowledgeKind;
import dev.aios.api.KnowledgeRecord;
import dev.aios.api.Memory;
import dev.aios.api.MemoryItem;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Recall;
import dev.aios.api.Remember;
import dev.aios.kernel.spi.StepScope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Memory for one attempt of one step: what it recalls and reads is noted in the step's provenance,
 * the items it recalls count as used, and the items it stores get ids derived from the step's
 * idempotency key, so a step that runs again stores nothing twice.
 */
final class StepMemory implements Memory {
    private static final int NOTED_QUERY_CHARS = 200;

    private final MemoryService memory;
    private final StepScope scope;
    private final AtomicInteger stored = new AtomicInteger();

    StepMemory(MemoryService memory, StepScope scope) {
        this.memory = memory;
        this.scope = scope;
    }

    @Override
    public MemoryItem remember(Remember item) {
        String id =
                item.id().orElseGet(() -> derivedId(scope.context().idempotencyKey() + "/" + stored.getAndIncrement()));
        var remembered = memory.remember(item, id);
        scope.note("remember", Sealer.JSON.createObjectNode().put("item", remembered.id() + "@1"));
        return remembered;
    }

    /**
     * How long a step's recall waits for an index being rebuilt before it fails (and its retry policy
     * tries again): well within a step's default timeout of a minute.
     */
    static final java.time.Duration REBUILD_PATIENCE = java.time.Duration.ofSeconds(30);

    @Override
    public Recall recall(MemoryQuery query) {
        // A step waits out a short rebuild rather than fail; an operator's search is refused at once.
        memory.awaitIndex(REBUILD_PATIENCE);
        var recall = memory.recall(query);
        var detail = Sealer.JSON.createObjectNode();
        detail.put(
                "query",
                query.text().length() > NOTED_QUERY_CHARS
                        ? query.text().substring(0, NOTED_QUERY_CHARS) + "…"
                        : query.text());
        query.subject().ifPresent(s -> detail.put("subject", s));
        var items = detail.putArray("items");
        for (var hit : recall.items()) {
            items.addObject().put("id", hit.id()).put("version", hit.version()).put("score", hit.score());
        }
        scope.note("recall", detail);
        memory.reinforce(recall);
        return recall;
    }

    @Override
    public long forget(String subject) {
        long forgotten = memory.forget(subject);
        scope.note(
                "forget", Sealer.JSON.createObjectNode().put("subject", subject).put("forgotten", forgotten));
        return forgotten;
    }

    @Override
    public KnowledgeRecord put(KnowledgeKind kind, String id, String subject, JsonNode content) {
        var context = scope.context();
        var record = memory.put(kind, id, subject, content, "run " + context.runId() + " step " + context.stepId());
        scope.note(
                "knowledge",
                Sealer.JSON.createObjectNode().put("record", record.ref()).put("wrote", true));
        return record;
    }

    @Override
    public Optional<KnowledgeRecord> get(String id) {
        return noted(memory.get(id));
    }

    @Override
    public Optional<KnowledgeRecord> get(String id, int version) {
        return noted(memory.get(id, version));
    }

    @Override
    public List<KnowledgeRecord> history(String id) {
        var history = memory.history(id);
        if (!history.isEmpty()) {
            scope.note(
                    "knowledge",
                    Sealer.JSON
                            .createObjectNode()
                            .put("record", history.getLast().ref())
                            .put("history", history.size()));
        }
        return history;
    }

    private Optional<KnowledgeRecord> noted(Optional<KnowledgeRecord> record) {
        record.ifPresent(
                r -> scope.note("knowledge", Sealer.JSON.createObjectNode().put("record", r.ref())));
        return record;
    }

    /** A stable id from {@code seed}: {@code m-} and 20 hex digits of its SHA-256. */
    static String derivedId(String seed) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            return "m-" + HexFormat.of().formatHex(digest, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
