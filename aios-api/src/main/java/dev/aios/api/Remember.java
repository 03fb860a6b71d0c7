package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An item to store in memory.
 *
 * @param kind a semantic kind: note, email, document or output
 * @param subject who or what the item is about (a customer, a project), or "" for no one; an
 *     item about a subject is encrypted with the subject's key and forgotten with it
 * @param text the text to remember; a long text is split into chunks
 * @param metadata a JSON object kept with the item and returned with it
 * @param importance 0 (trivia) to 1 (essential), 0.5 by default; it weighs the item's score
 * @param pinned a pinned item is never removed by retention
 * @param id the item's id, to make storing it again harmless; chosen by memory when empty (in a
 *     step, derived from the step's idempotency key, so a step that runs again stores nothing new)
 */
public record Remember(
        MemoryKind kind,
        String subject,
        String text,
        JsonNode metadata,
        double importance,
        boolean pinned,
        Optional<String> id) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}");

    public Remember {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(id, "id");
        if (!kind.rememberable()) {
            throw new IllegalArgumentException("memory takes items of kind note, email, document or output, not "
                    + kind.wire() + " (events and journal entries are remembered from the kernel on their own)");
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("give the text to remember; it was empty");
        }
        if (subject.length() > 200) {
            throw new IllegalArgumentException("a subject is at most 200 characters; name it by an id such as acme");
        }
        if (!metadata.isObject()) {
            throw new IllegalArgumentException("metadata must be a JSON object, was " + metadata.getNodeType());
        }
        if (!(importance >= 0 && importance <= 1)) {
            throw new IllegalArgumentException("importance must be between 0 and 1, was " + importance);
        }
        if (id.isPresent() && !ID.matcher(id.get()).matches()) {
            throw new IllegalArgumentException("an item id is 1 to 128 letters, digits and ._:/@- starting with a"
                    + " letter or digit, was '" + id.get() + "'");
        }
        metadata = metadata.deepCopy();
    }

    /** An item of {@code kind} about {@code subject}, with no metadata, importance 0.5, not pinned. */
    public static Remember of(MemoryKind kind, String subject, String text) {
        return new Remember(kind, subject, text, JsonNodeFactory.instance.objectNode(), 0.5, false, Optional.empty());
    }

    /** This item with {@code metadata}. */
    public Remember withMetadata(JsonNode metadata) {
        return new Remember(kind, subject, text, metadata, importance, pinned, id);
    }

    /** This item with {@code importance}. */
    public Remember withImportance(double importance) {
        return new Remember(kind, subject, text, metadata, importance, pinned, id);
    }

    /** This item, pinned or not. */
    public Remember withPinned(boolean pinned) {
        return new Remember(kind, subject, text, metadata, importance, pinned, id);
    }

    /** This item with the id {@code id}. */
    public Remember withId(String id) {
        return new Remember(kind, subject, text, metadata, importance, pinned, Optional.of(id));
    }

    @Override
    public JsonNode metadata() {
        return metadata.deepCopy();
    }
}
