package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * What an agent remembers and recalls across runs, reached with {@link AgentContext#memory()}.
 * Three tiers: episodic (every event and journal entry, found by text), semantic (notes, emails,
 * documents, outputs, found by text and by meaning) and knowledge (versioned records).
 *
 * <p>In a step, every recall and every knowledge record read is recorded in the step's provenance
 * ({@code id@version} and score), and the items a step recalls count as used, which slows their
 * decay.
 *
 * <pre>{@code
 * var memory = context.memory().orElseThrow();
 * memory.remember(Remember.of(MemoryKind.NOTE, "acme", "Prefers calls on Tuesdays"));
 * var similar = memory.recall(MemoryQuery.of("brand refresh for a bakery").withK(3));
 * }</pre>
 */
public interface Memory {

    /**
     * Stores an item. It can be found by text as soon as this returns, and by meaning once it is
     * embedded (in the background, within seconds). Storing an id that exists returns the stored
     * item unchanged.
     *
     * @throws IllegalArgumentException when the text is longer than memory takes, saying how long
     *     it may be
     */
    MemoryItem remember(Remember item);

    /** Stores a note, email, document or output; see {@link #remember(Remember)}. */
    default MemoryItem remember(MemoryKind kind, String subject, String text, JsonNode metadata, double importance) {
        return remember(Remember.of(kind, subject, text).withMetadata(metadata).withImportance(importance));
    }

    /** The items that best match {@code query}, best first. */
    Recall recall(MemoryQuery query);

    /** The {@code k} items that best match {@code text}; see {@link #recall(MemoryQuery)}. */
    default Recall recall(String text, int k) {
        return recall(MemoryQuery.of(text).withK(k));
    }

    /**
     * Forgets everything about {@code subject}, everywhere: its memory items and knowledge records,
     * and its events and journal payloads, whose key is destroyed. The runs about it that are still
     * going are cancelled.
     *
     * @return how many memory items and knowledge records were forgotten
     * @throws IllegalStateException when the subject is under legal hold
     */
    long forget(String subject);

    /**
     * Writes a knowledge record: a new version when {@code content} differs from the latest, else
     * the latest version unchanged (so a step that runs again writes nothing new).
     *
     * @param id the record's id, e.g. {@code customer/acme}
     * @param subject who or what it is about, "" for no one
     * @param content a JSON object
     */
    KnowledgeRecord put(KnowledgeKind kind, String id, String subject, JsonNode content);

    /** The latest version of a record. */
    Optional<KnowledgeRecord> get(String id);

    /** One version of a record. */
    Optional<KnowledgeRecord> get(String id, int version);

    /** Every version of a record, oldest first; empty when there is no such record. */
    List<KnowledgeRecord> history(String id);
}
