package dev.aios.memory.internal;

import dev.aios.kernel.spi.SubjectCipher.ForgottenException;
import dev.aios.memory.internal.Rows.Change;
import dev.aios.memory.internal.Rows.Waiting;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The vectors of chunks: which chunks wait to be embedded (those stored without a vector), and the
 * vectors once made, sealed like the text they come from.
 */
final class VectorStore {
    private final ItemStore items;

    VectorStore(ItemStore items) {
        this.items = items;
    }

    /** Up to {@code limit} chunks waiting to be embedded, oldest first. */
    List<Waiting> waiting(int limit) {
        return items
                .storage()
                .read(h -> h.query(
                        "SELECT item_id, n, subject, text FROM memory_chunks WHERE embed = 1 AND model IS NULL"
                                + " ORDER BY " + ItemStore.order(h) + " LIMIT ?",
                        row -> {
                            String subject = row.text("subject");
                            try {
                                return Optional.of(new Waiting(
                                        row.text("item_id"),
                                        (int) row.integer("n"),
                                        subject,
                                        items.sealer().openText(subject, row.bytes("text"))));
                            } catch (ForgottenException e) {
                                return Optional.<Waiting>empty();
                            }
                        },
                        limit))
                .stream()
                .flatMap(Optional::stream)
                .toList();
    }

    long waitingCount() {
        return items.storage()
                .read(h -> h.count("SELECT COUNT(*) FROM memory_chunks WHERE embed = 1 AND model IS NULL"));
    }

    /** Stores the vectors of embedded chunks, and a change per chunk for the index. */
    void embedded(List<Waiting> chunks, List<float[]> vectors, String model) {
        var sealed = new ArrayList<byte[]>();
        for (int i = 0; i < chunks.size(); i++) {
            sealed.add(items.sealer().vector(chunks.get(i).subject(), vectors.get(i)));
        }
        items.storage().write(h -> {
            for (int i = 0; i < chunks.size(); i++) {
                var chunk = chunks.get(i);
                int updated = h.update(
                        "UPDATE memory_chunks SET model = ?, vector = ? WHERE item_id = ? AND n = ? AND subject = ?",
                        model,
                        sealed.get(i),
                        chunk.itemId(),
                        chunk.n(),
                        chunk.subject());
                if (updated > 0) {
                    ItemStore.change(h, Change.CHUNK, chunk.itemId() + "#" + chunk.n());
                }
            }
            return null;
        });
    }

    /** Marks every vector not made by {@code model} to be embedded again; returns how many. */
    int invalidateVectors(String model) {
        return items.storage()
                .write(h -> h.update(
                        "UPDATE memory_chunks SET model = NULL, vector = NULL WHERE embed = 1 AND model IS NOT NULL"
                                + " AND model <> ?",
                        model));
    }
}
