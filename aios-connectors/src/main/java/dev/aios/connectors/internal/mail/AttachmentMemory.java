package dev.aios.connectors.internal.mail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Event;
import dev.aios.api.Memory;
import dev.aios.api.MemoryKind;
import dev.aios.api.Remember;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attachments of received email as memory documents about the email's subject (its sender), so
 * that they are found by a search and forgotten with the subject. A text attachment is stored with
 * its text; any other (a PDF, an image) as a document that names it, its type and size and says
 * why its content is not kept; a text attachment larger than the limit likewise, saying so. Each
 * document's id comes from the event's id and the attachment's place, so reading a message again
 * stores nothing new.
 */
public final class AttachmentMemory {
    private static final Logger LOG = LoggerFactory.getLogger(AttachmentMemory.class);

    /** What memory keeps of an attachment. */
    public enum Stored {
        /** Its text. */
        TEXT("text"),
        /** Its name, type and size, with a note saying why not its content. */
        METADATA("metadata"),
        /** Its name, type and size: it was larger than memory takes of an attachment. */
        SKIPPED("skipped");

        private final String wire;

        Stored(String wire) {
            this.wire = wire;
        }

        /** The name in the event's data. */
        public String wire() {
            return wire;
        }
    }

    private final Supplier<Optional<Memory>> memory;

    /** @param memory where the documents go; empty when aios runs without memory */
    public AttachmentMemory(Supplier<Optional<Memory>> memory) {
        this.memory = memory;
    }

    /** Marks each attachment of {@code data} with the id of the memory document it becomes. */
    void name(String eventId, ObjectNode data) {
        if (memory.get().isEmpty()) {
            for (var attachment : data.path("attachments")) {
                ((ObjectNode) attachment).put("memory", "none");
                ((ObjectNode) attachment).put("note", "not stored: aios runs without memory");
            }
            return;
        }
        int index = 0;
        for (var attachment : data.path("attachments")) {
            ((ObjectNode) attachment).put("memoryId", id(eventId, index++));
        }
    }

    /**
     * Stores the attachments of a received message's event. A document memory refuses is logged and
     * left out; the message itself is never held up by its attachments.
     */
    void store(Event event) {
        var target = memory.get();
        if (target.isEmpty()) {
            return;
        }
        for (var attachment : event.data().path("attachments")) {
            if (!attachment.hasNonNull("memoryId")) {
                continue;
            }
            try {
                target.get().remember(document(event, attachment));
            } catch (RuntimeException e) {
                LOG.warn(
                        "attachment {} of {} was not stored in memory: {}",
                        attachment.path("name").asText(),
                        event.id(),
                        e.getMessage());
            }
        }
    }

    private static Remember document(Event event, JsonNode attachment) {
        var name = attachment.path("name").asText();
        var email = event.data().path("subject").asText();
        var from = event.data().path("from").asText();
        var stored = attachment.path("memory").asText();
        var about = "Attachment " + name + " of the email \"" + email + "\" from " + from;
        var text = stored.equals(Stored.TEXT.wire())
                        && !attachment.path("text").asText().isBlank()
                ? about + ":\n\n" + attachment.path("text").asText()
                : about + " (" + attachment.path("contentType").asText() + ", "
                        + attachment.path("size").asLong() + " bytes). "
                        + attachment.path("note").asText("") + ".";
        var metadata = JsonNodeFactory.instance
                .objectNode()
                .put("source", "email")
                .put("eventId", event.id())
                .put("messageId", event.data().path("messageId").asText())
                .put("emailSubject", email)
                .put("from", from)
                .put("name", name)
                .put("contentType", attachment.path("contentType").asText())
                .put("size", attachment.path("size").asLong())
                .put("stored", stored);
        if (attachment.hasNonNull("note")) {
            metadata.put("note", attachment.path("note").asText());
        }
        return Remember.of(MemoryKind.DOCUMENT, event.subject(), text)
                .withMetadata(metadata)
                .withId(attachment.path("memoryId").asText());
    }

    private static String id(String eventId, int index) {
        try {
            var hash = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(eventId.getBytes(StandardCharsets.UTF_8)));
            return "email-" + hash.substring(0, 32) + "-" + index;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
