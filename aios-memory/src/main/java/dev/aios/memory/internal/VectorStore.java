package dev.aios.memory.internal;

import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Row;
import dev.aios.kernel.spi.SubjectCipher.ForgottenException;
import dev.aios.memory.internal.Rows.Change;
import dev.aios.memory.internal.Rows.Waiting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;

/**
 * The vectors of chunks: which chunks wait to be embedded (those stored without a vector), and the
 * vectors once made, sealed like the text they come from.
 */
final class VectorStore {
    private final ItemStore items;

    VectorStore(ItemStore items) {
        this.items = items;
    }

    /**
     * How long a node's claim on the chunks it embeds holds on a shared database: longer than a batch
     * takes, short enough that the chunks of a node that stopped are embedded by another soon.
     */
    static final Duration CLAIM_FOR = Duration.ofMinutes(1);

    /** The database's clock in milliseconds since the epoch, the one every node's claims are told by. */
    private static final String NOW_MILLIS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

    /**
     * Up to {@code limit} chunks waiting to be embedded, oldest first, for this node to embed. On
     * SQLite this node is the only one. On a shared database every node's embedder looks, so the
     * chunks are claimed in a write until {@link #CLAIM_FOR} from now, and those another node claimed
     * meanwhile are left out: no chunk is embedded twice, and what a stopped node had claimed is taken
     * again once its claim lapses.
     */
    List<Waiting> take(int limit) {
        var storage = items.storage();
        boolean shared = storage.dialect() != Handle.Dialect.SQLITE;
        var found = storage.read(h -> h.query(
                "SELECT item_id, n, subject, text, " + ItemStore.order(h) + " AS seq FROM memory_chunks"
                        + " WHERE embed = 1 AND model IS NULL" + (shared ? " AND claimed_until < " + NOW_MILLIS : "")
                        + " ORDER BY " + ItemStore.order(h) + " LIMIT ?",
                VectorStore::sealed,
                limit));
        if (!shared || found.isEmpty()) {
            return open(found);
        }
        var args = new ArrayList<Object>();
        args.add(CLAIM_FOR.toMillis());
        found.forEach(chunk -> args.add(chunk.seq()));
        var claimed = new HashSet<>(storage.write(h -> h.query(
                "UPDATE memory_chunks SET claimed_until = " + NOW_MILLIS + " + ? WHERE seq IN ("
                        + Handle.marks(found.size()) + ") AND embed = 1 AND model IS NULL AND claimed_until < "
                        + NOW_MILLIS + " RETURNING seq",
                row -> row.integer("seq"),
                args.toArray())));
        return open(
                found.stream().filter(chunk -> claimed.contains(chunk.seq())).toList());
    }

    /**
     * Gives back the claim on chunks this node could not embed, so that the next attempt, here or on
     * another node, need not wait for it to lapse; on SQLite, which claims nothing, nothing.
     */
    void release(List<Waiting> chunks) {
        var storage = items.storage();
        if (chunks.isEmpty() || storage.dialect() == Handle.Dialect.SQLITE) {
            return;
        }
        storage.write(h -> h.update(
                "UPDATE memory_chunks SET claimed_until = 0 WHERE (item_id, n) IN ("
                        + String.join(", ", Collections.nCopies(chunks.size(), "(?, ?)"))
                        + ") AND model IS NULL",
                chunks.stream()
                        .flatMap(chunk -> Stream.<Object>of(chunk.itemId(), chunk.n()))
                        .toArray()));
    }

    /** A chunk as read, its text still sealed. */
    private record Sealed(String itemId, int n, String subject, byte[] text, long seq) {}

    private static Sealed sealed(Row row) {
        return new Sealed(
                row.text("item_id"),
                (int) row.integer("n"),
                row.text("subject"),
                row.bytes("text"),
                row.integer("seq"));
    }

    /** The chunks with their texts opened; those of a subject forgotten meanwhile are left out. */
    private List<Waiting> open(List<Sealed> chunks) {
        var opened = new ArrayList<Waiting>(chunks.size());
        for (var chunk : chunks) {
            try {
                opened.add(new Waiting(
                        chunk.itemId(),
                        chunk.n(),
                        chunk.subject(),
                        items.sealer().openText(chunk.subject(), chunk.text())));
            } catch (ForgottenException e) {
                // forgotten while it waited: nothing to embed
            }
        }
        return opened;
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
                        // Not over a vector stored meanwhile (by another node, whose claim lapsed while
                        // it embedded): one vector a chunk, and one change for the indexes.
                        "UPDATE memory_chunks SET model = ?, vector = ? WHERE item_id = ? AND n = ? AND subject = ?"
                                + " AND model IS NULL",
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

    /**
     * Marks every vector not made by {@code model} to be embedded again; returns how many. Only when
     * the model differs from the one recorded at the last call: finding those vectors reads every
     * chunk (about 0.12 s a start at 100,000 chunks with the page cache warm, far more from disk).
     */
    int invalidateVectors(String model) {
        return items.storage().write(h -> {
            var recorded = h.queryOne(
                    "SELECT value FROM memory_settings WHERE name = 'vectors.model'", row -> row.text("value"));
            if (recorded.filter(model::equals).isPresent()) {
                return 0;
            }
            int stale = h.update(
                    "UPDATE memory_chunks SET model = NULL, vector = NULL WHERE embed = 1 AND model IS NOT NULL"
                            + " AND model <> ?",
                    model);
            h.update(
                    "INSERT INTO memory_settings (name, value) VALUES ('vectors.model', ?)"
                            + " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    model);
            return stale;
        });
    }
}
