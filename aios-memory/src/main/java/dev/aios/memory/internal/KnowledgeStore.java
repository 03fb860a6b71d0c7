package dev.aios.memory.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.KnowledgeKind;
import dev.aios.api.KnowledgeRecord;
import dev.aios.api.MemoryKind;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Row;
import dev.aios.kernel.spi.SubjectCipher.ForgottenException;
import dev.aios.memory.internal.Rows.Chunk;
import dev.aios.memory.internal.Rows.Item;
import dev.aios.memory.internal.Rows.NewItem;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Knowledge records, every version kept. The latest version of each is also a memory item of kind
 * {@code knowledge}, so that recall finds it.
 */
final class KnowledgeStore {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}");
    private static final String PREFIX = "knowledge/";
    /** The largest record, as JSON. */
    static final int MAX_BYTES = 100_000;

    private final ItemStore items;
    private final Sealer sealer;
    private final Chunker chunker;
    private final boolean embedded;

    KnowledgeStore(ItemStore items, Sealer sealer, Chunker chunker, boolean embedded) {
        this.items = items;
        this.sealer = sealer;
        this.chunker = chunker;
        this.embedded = embedded;
    }

    /** The id of the memory item that holds a record's latest version. */
    static String itemId(String recordId) {
        return PREFIX + recordId;
    }

    /** The record's id from its memory item's id. */
    static String recordId(String itemId) {
        return itemId.startsWith(PREFIX) ? itemId.substring(PREFIX.length()) : itemId;
    }

    static void check(String id) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a record id is 1 to 128 letters, digits and ._:/@- starting with a"
                    + " letter or digit, e.g. customer/acme; was '" + id + "'");
        }
    }

    /** Writes a new version unless {@code content} equals the latest; returns the version and its change. */
    Written put(KnowledgeKind kind, String id, String subject, JsonNode content, String author, Instant now) {
        check(id);
        if (!content.isObject()) {
            throw new IllegalArgumentException(
                    "a knowledge record's content must be a JSON object, was " + content.getNodeType());
        }
        int size = content.toString().getBytes(StandardCharsets.UTF_8).length;
        if (size > MAX_BYTES) {
            throw new IllegalArgumentException("a knowledge record is at most " + MAX_BYTES / 1000
                    + " kB of JSON, this one is " + size / 1000 + " kB; keep long texts as documents instead");
        }
        var text = KnowledgeText.of(kind, id, content);
        var pieces = chunker.split(text);
        return items.storage().write(h -> {
            var latest = latest(h, id);
            if (latest.isPresent() && latest.get().content().equals(content)) {
                return new Written(latest.get(), 0);
            }
            if (latest.isPresent() && !latest.get().subject().equals(subject)) {
                throw new IllegalArgumentException("record " + id + " is about '"
                        + latest.get().subject() + "', not '" + subject + "'; a record keeps its subject");
            }
            int version = latest.map(r -> r.version() + 1).orElse(1);
            h.update(
                    "INSERT INTO knowledge_records (id, version, kind, subject, content, at, author)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    id,
                    version,
                    kind.wire(),
                    subject,
                    sealer.json(subject, content),
                    now.toEpochMilli(),
                    author);
            var chunks = new java.util.ArrayList<Chunk>();
            for (int i = 0; i < pieces.size(); i++) {
                chunks.add(new Chunk(i, pieces.get(i), embedded));
            }
            var metadata = Sealer.JSON.createObjectNode().put("record", id).put("kind", kind.wire());
            var item = new Item(
                    itemId(id),
                    MemoryKind.KNOWLEDGE,
                    subject,
                    version,
                    now,
                    0.5,
                    true,
                    "knowledge",
                    chunks.size(),
                    text.getBytes(StandardCharsets.UTF_8).length,
                    metadata);
            long change = items.replace(h, new NewItem(item, chunks));
            return new Written(new KnowledgeRecord(id, version, kind, subject, content, now, author), change);
        });
    }

    /** A version written (or the latest, unchanged, with change 0). */
    record Written(KnowledgeRecord record, long change) {}

    Optional<KnowledgeRecord> latest(String id) {
        return items.storage().read(h -> latest(h, id));
    }

    private Optional<KnowledgeRecord> latest(Handle h, String id) {
        return h.queryOne(
                        "SELECT * FROM knowledge_records WHERE id = ? ORDER BY version DESC LIMIT 1", this::record, id)
                .flatMap(r -> r);
    }

    Optional<KnowledgeRecord> version(String id, int version) {
        return items.storage()
                .read(h -> h.queryOne(
                        "SELECT * FROM knowledge_records WHERE id = ? AND version = ?", this::record, id, version))
                .flatMap(r -> r);
    }

    List<KnowledgeRecord> history(String id) {
        return items
                .storage()
                .read(h -> h.query("SELECT * FROM knowledge_records WHERE id = ? ORDER BY version", this::record, id))
                .stream()
                .flatMap(Optional::stream)
                .toList();
    }

    private Optional<KnowledgeRecord> record(Row row) {
        String subject = row.text("subject");
        try {
            return Optional.of(new KnowledgeRecord(
                    row.text("id"),
                    (int) row.integer("version"),
                    KnowledgeKind.fromWire(row.text("kind")),
                    subject,
                    sealer.openJson(subject, row.bytes("content")),
                    row.instant("at"),
                    row.text("author")));
        } catch (ForgottenException e) {
            return Optional.empty();
        }
    }
}
