package dev.aios.memory.internal;

import dev.aios.api.MemoryKind;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Row;
import dev.aios.kernel.spi.Storage;
import dev.aios.kernel.spi.SubjectCipher.ForgottenException;
import dev.aios.memory.internal.Rows.Change;
import dev.aios.memory.internal.Rows.Doc;
import dev.aios.memory.internal.Rows.Hydrated;
import dev.aios.memory.internal.Rows.Item;
import dev.aios.memory.internal.Rows.NewItem;
import dev.aios.memory.internal.Rows.Standing;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Memory items and their chunks in the kernel's database, sealed per subject; and the list of
 * changes the index catches up on, written in the same transaction as the change itself.
 */
final class ItemStore {
    private static final String ITEM_COLUMNS =
            "i.id, i.kind, i.subject, i.version, i.created_at, i.importance, i.pinned, i.source, i.chunks, i.bytes,"
                    + " i.metadata";

    private static final String DOC_COLUMNS =
            "SELECT c.item_id, c.n, c.subject, c.text, c.vector, i.kind, i.created_at FROM memory_chunks c"
                    + " JOIN memory_items i ON i.id = c.item_id";

    /** The most ids one statement names: within what SQLite and PostgreSQL take. */
    private static final int PAGE = 500;

    private final Storage storage;
    private final Sealer sealer;

    ItemStore(Storage storage, Sealer sealer) {
        this.storage = storage;
        this.sealer = sealer;
    }

    Storage storage() {
        return storage;
    }

    Sealer sealer() {
        return sealer;
    }

    /**
     * Stores items that are not stored yet (by id), each with its chunks, and a change for the
     * index per item. Sealing happens before the write, off the kernel's writer thread.
     *
     * @return the stored items by id, those stored before included, and the last change's number
     */
    Stored insert(List<NewItem> items, Map<String, Long> feedPositions) {
        return write(items, Map.of(), feedPositions, List.of()).orElseThrow();
    }

    /**
     * Stores {@code summary} in place of the items {@code replacing}, in one transaction, unless one
     * of them is gone: on a shared database every node runs retention, and another node's run may
     * have merged them meanwhile.
     *
     * @return whether the summary was stored
     */
    boolean replaced(NewItem summary, List<String> replacing) {
        return write(List.of(summary), Map.of(), Map.of(), replacing).isPresent();
    }

    /**
     * Stores items copied from the kernel's feed and moves the feed's positions from {@code from} to
     * {@code to}, in one transaction, unless a position is no longer at {@code from}: on a shared
     * database every node copies the feed, and when another one copied past where this one read,
     * nothing is written and the caller reads on from the position as it stands.
     *
     * @return whether the items were stored (or found stored) and the positions moved
     */
    boolean copied(List<NewItem> items, Map<String, Long> from, Map<String, Long> to) {
        return write(items, from, to, List.of()).isPresent();
    }

    private Optional<Stored> write(
            List<NewItem> items, Map<String, Long> from, Map<String, Long> feedPositions, List<String> replacing) {
        var sealed = new ArrayList<SealedItem>(items.size());
        for (var item : items) {
            var row = item.item();
            var chunks = new ArrayList<byte[]>();
            for (var chunk : item.chunks()) {
                chunks.add(sealer.text(row.subject(), chunk.text()));
            }
            sealed.add(new SealedItem(item, sealer.json(row.subject(), row.metadata()), chunks));
        }
        return storage.write(h -> {
            for (var position : from.entrySet()) {
                if (feedPosition(h, position.getKey()) != position.getValue()) {
                    return Optional.<Stored>empty();
                }
            }
            if (!replacing.isEmpty()
                    && h.count(
                                    "SELECT COUNT(*) FROM memory_items WHERE id IN (" + Handle.marks(replacing.size())
                                            + ")",
                                    replacing.toArray())
                            != replacing.size()) {
                return Optional.<Stored>empty();
            }
            long last = 0;
            var existing = new ArrayList<String>();
            for (var item : sealed) {
                var row = item.item().item();
                int inserted = h.update(
                        "INSERT INTO memory_items (id, kind, subject, version, created_at, importance, pinned,"
                                + " source, chunks, bytes, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                + " ON CONFLICT (id) DO NOTHING",
                        row.id(),
                        row.kind().wire(),
                        row.subject(),
                        row.version(),
                        row.createdAt().toEpochMilli(),
                        row.importance(),
                        row.pinned() ? 1 : 0,
                        row.source(),
                        row.chunks(),
                        row.bytes(),
                        item.metadata());
                if (inserted == 0) {
                    existing.add(row.id());
                    continue;
                }
                var chunks = item.item().chunks();
                for (int i = 0; i < chunks.size(); i++) {
                    h.update(
                            "INSERT INTO memory_chunks (item_id, n, subject, text, embed) VALUES (?, ?, ?, ?, ?)",
                            row.id(),
                            chunks.get(i).n(),
                            row.subject(),
                            item.chunks().get(i),
                            chunks.get(i).embed() ? 1 : 0);
                }
                last = change(h, Change.ITEM, row.id());
            }
            delete(h, replacing);
            for (var position : feedPositions.entrySet()) {
                h.update(
                        "INSERT INTO memory_feed (source, position) VALUES (?, ?)"
                                + " ON CONFLICT (source) DO UPDATE SET position = excluded.position",
                        position.getKey(),
                        position.getValue());
            }
            return Optional.of(new Stored(existing, last));
        });
    }

    /** What {@link #insert} did: the ids that were stored before, and the last change's number. */
    record Stored(List<String> existing, long lastChange) {}

    private record SealedItem(NewItem item, byte[] metadata, List<byte[]> chunks) {}

    /** Replaces an item (a knowledge record's searchable copy) in the caller's transaction. */
    long replace(Handle h, NewItem item) {
        var row = item.item();
        h.update("DELETE FROM memory_chunks WHERE item_id = ?", row.id());
        h.update("DELETE FROM memory_items WHERE id = ?", row.id());
        h.update(
                "INSERT INTO memory_items (id, kind, subject, version, created_at, importance, pinned, source, chunks,"
                        + " bytes, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row.id(),
                row.kind().wire(),
                row.subject(),
                row.version(),
                row.createdAt().toEpochMilli(),
                row.importance(),
                row.pinned() ? 1 : 0,
                row.source(),
                row.chunks(),
                row.bytes(),
                sealer.json(row.subject(), row.metadata()));
        for (var chunk : item.chunks()) {
            h.update(
                    "INSERT INTO memory_chunks (item_id, n, subject, text, embed) VALUES (?, ?, ?, ?, ?)",
                    row.id(),
                    chunk.n(),
                    row.subject(),
                    sealer.text(row.subject(), chunk.text()),
                    chunk.embed() ? 1 : 0);
        }
        return change(h, Change.ITEM, row.id());
    }

    /**
     * The column that orders chunks as they were stored: SQLite's rowid, and on PostgreSQL (which has
     * none) the chunk's sequence number.
     */
    static String order(Handle h) {
        return switch (h.dialect()) {
            case SQLITE -> "rowid";
            case POSTGRESQL -> "seq";
        };
    }

    /** Adds an entry to the index's to-do list, in the caller's transaction. */
    static long change(Handle h, String op, String key) {
        return h.insert("INSERT INTO memory_changes (op, key) VALUES (?, ?)", op, key);
    }

    /** Which of {@code ids} are stored, in one read. */
    java.util.Set<String> stored(Collection<String> ids) {
        if (ids.isEmpty()) {
            return java.util.Set.of();
        }
        var found = new java.util.HashSet<String>();
        var list = List.copyOf(ids);
        for (int from = 0; from < list.size(); from += 500) {
            var page = list.subList(from, Math.min(list.size(), from + 500));
            var marks = String.join(", ", java.util.Collections.nCopies(page.size(), "?"));
            found.addAll(storage.read(h -> h.query(
                    "SELECT id FROM memory_items WHERE id IN (" + marks + ")", r -> r.text("id"), page.toArray())));
        }
        return found;
    }

    Optional<Item> item(String id) {
        return storage.read(h ->
                        h.queryOne("SELECT " + ITEM_COLUMNS + " FROM memory_items i WHERE i.id = ?", this::item, id))
                .flatMap(item -> item);
    }

    /**
     * What the index holds of everything {@code changes} name, read at once rather than change by
     * change: every chunk of each item changed whole, and each chunk changed alone. An item or chunk
     * that is gone or forgotten is missing.
     */
    Changed changed(List<Change> changes) {
        var items = new java.util.LinkedHashSet<String>();
        var chunks = new HashMap<String, java.util.Set<Integer>>();
        for (var change : changes) {
            switch (change.op()) {
                case Change.ITEM -> items.add(change.key());
                case Change.CHUNK -> {
                    int hash = change.key().lastIndexOf('#');
                    chunks.computeIfAbsent(change.key().substring(0, hash), id -> new java.util.HashSet<>())
                            .add(Integer.parseInt(change.key().substring(hash + 1)));
                }
                default -> {}
            }
        }
        if (items.isEmpty() && chunks.isEmpty()) {
            return new Changed(Map.of(), Map.of());
        }
        return storage.read(h -> {
            var byItem = new HashMap<String, List<Doc>>();
            var ids = List.copyOf(items);
            for (int from = 0; from < ids.size(); from += PAGE) {
                var page = ids.subList(from, Math.min(ids.size(), from + PAGE));
                for (var doc : docs(h, "c.item_id IN (" + Handle.marks(page.size()) + ")", page.toArray())) {
                    byItem.computeIfAbsent(doc.itemId(), id -> new ArrayList<>())
                            .add(doc);
                }
            }
            var byKey = new HashMap<String, Doc>();
            var owners = List.copyOf(chunks.keySet());
            for (int from = 0; from < owners.size(); from += PAGE) {
                var page = owners.subList(from, Math.min(owners.size(), from + PAGE));
                var numbers = page.stream()
                        .flatMap(id -> chunks.get(id).stream())
                        .distinct()
                        .toList();
                var args = new ArrayList<Object>(page);
                args.addAll(numbers);
                // By the primary key (item, number); the pairs not asked for are dropped unopened.
                for (var doc : h
                        .query(
                                DOC_COLUMNS + " WHERE c.item_id IN (" + Handle.marks(page.size()) + ") AND c.n IN ("
                                        + Handle.marks(numbers.size()) + ")",
                                row -> chunks.get(row.text("item_id")).contains((int) row.integer("n"))
                                        ? doc(row)
                                        : Optional.<Doc>empty(),
                                args.toArray())
                        .stream()
                        .flatMap(Optional::stream)
                        .toList()) {
                    byKey.put(doc.key(), doc);
                }
            }
            return new Changed(byItem, byKey);
        });
    }

    /** The documents {@link #changed} read: each changed item's chunks by item id, changed chunks by key. */
    record Changed(Map<String, List<Doc>> items, Map<String, Doc> chunks) {}

    /** How many chunks the tables hold: what a rebuild of the index has to index. */
    long chunkCount() {
        return storage.read(h -> h.count("SELECT COUNT(*) FROM memory_chunks"));
    }

    /** Chunks in storage order after {@code afterRowid}, for rebuilding the index. */
    List<Map.Entry<Long, Doc>> scan(long afterRowid, int limit) {
        return storage
                .read(h -> h.query(
                        "SELECT c." + order(h) + " AS r, c.item_id, c.n, c.subject, c.text, c.vector, i.kind,"
                                + " i.created_at FROM memory_chunks c JOIN memory_items i ON i.id = c.item_id"
                                + " WHERE c." + order(h) + " > ? ORDER BY c." + order(h) + " LIMIT ?",
                        row -> Map.entry(row.integer("r"), doc(row)),
                        afterRowid,
                        limit))
                .stream()
                .filter(e -> e.getValue().isPresent())
                .map(e -> Map.entry(e.getKey(), e.getValue().get()))
                .toList();
    }

    private List<Doc> docs(Handle h, String where, Object... args) {
        return h.query(DOC_COLUMNS + " WHERE " + where + " ORDER BY c.n", this::doc, args).stream()
                .flatMap(Optional::stream)
                .toList();
    }

    private Optional<Doc> doc(Row row) {
        String subject = row.text("subject");
        try {
            byte[] vector = row.bytes("vector");
            return Optional.of(new Doc(
                    row.text("item_id"),
                    (int) row.integer("n"),
                    subject,
                    MemoryKind.fromWire(row.text("kind")),
                    row.instant("created_at"),
                    sealer.openText(subject, row.bytes("text")),
                    vector == null ? Optional.empty() : Optional.of(sealer.openVector(subject, vector))));
        } catch (ForgottenException e) {
            return Optional.empty();
        }
    }

    /** The index's to-do list after {@code seq}. */
    List<Change> changesAfter(long seq, int limit) {
        return storage.read(h -> h.query(
                "SELECT seq, op, key FROM memory_changes WHERE seq > ? ORDER BY seq LIMIT ?",
                row -> new Change(row.integer("seq"), row.text("op"), row.text("key")),
                seq,
                limit));
    }

    /** The newest change listed, or the last one dropped when none is listed any more. */
    long lastChange() {
        return storage.read(h -> Math.max(h.count("SELECT COALESCE(MAX(seq), 0) FROM memory_changes"), prunedUpTo(h)));
    }

    /**
     * How long an index of a shared database may go unseen before the changes it still lacks are
     * dropped anyway: a node away longer rebuilds its index from the tables when it comes back.
     */
    static final java.time.Duration FOLLOWER_RETENTION = java.time.Duration.ofDays(7);

    /**
     * Drops the to-do entries that every index has committed. On SQLite there is one index,
     * {@code follower}. On PostgreSQL every node keeps an index of its own: each records how far it
     * has committed, and the entries go once every index seen within {@link #FOLLOWER_RETENTION}
     * has them.
     *
     * @return the last change dropped so far, which an index that has not applied it can no longer
     *     follow
     */
    long pruneChanges(String follower, long upTo, java.time.Instant now) {
        if (storage.dialect() == Handle.Dialect.SQLITE) {
            storage.write(h -> h.update("DELETE FROM memory_changes WHERE seq <= ?", upTo));
            return upTo;
        }
        return storage.write(h -> {
            long pruned = prunedUpTo(h);
            if (pruned > upTo) {
                // Dropped while this index was away: it cannot follow them, and must not hold others back.
                return pruned;
            }
            long at = now.toEpochMilli();
            h.update(
                    "INSERT INTO memory_followers (follower, applied, seen_at) VALUES (?, ?, ?)"
                            + " ON CONFLICT (follower) DO UPDATE SET applied = excluded.applied, seen_at = excluded.seen_at",
                    follower,
                    upTo,
                    at);
            long since = at - FOLLOWER_RETENTION.toMillis();
            h.update("DELETE FROM memory_followers WHERE seen_at < ?", since);
            long everyone = h.count("SELECT COALESCE(MIN(applied), 0) FROM memory_followers");
            if (everyone > pruned) {
                h.update("DELETE FROM memory_changes WHERE seq <= ?", everyone);
                h.update(
                        "INSERT INTO memory_changes_pruned (id, up_to) VALUES (1, ?)"
                                + " ON CONFLICT (id) DO UPDATE SET up_to = excluded.up_to",
                        everyone);
                return everyone;
            }
            return pruned;
        });
    }

    /**
     * Names {@code follower} among the indexes that follow the changes, as having all up to {@code
     * upTo}, so that no other node drops what it has yet to apply (see {@link #pruneChanges}); on
     * SQLite, whose one index drops changes once it has committed them, nothing.
     */
    void follow(String follower, long upTo, java.time.Instant now) {
        if (storage.dialect() != Handle.Dialect.SQLITE) {
            pruneChanges(follower, upTo, now);
        }
    }

    /** The last change dropped from the to-do list of a shared database (0 on SQLite, which keeps no mark). */
    long prunedUpTo() {
        return storage.read(ItemStore::prunedUpTo);
    }

    private static long prunedUpTo(Handle h) {
        if (h.dialect() == Handle.Dialect.SQLITE) {
            return 0;
        }
        return h.count("SELECT COALESCE(MAX(up_to), 0) FROM memory_changes_pruned");
    }

    /** Runs {@code work} in one read transaction: several reads of a recall see one moment, at the cost of one. */
    <T> T read(Storage.Work<T> work) {
        return storage.read(work);
    }

    /** The items and chunk texts of recall candidates; items gone or forgotten are left out. */
    Map<String, Hydrated> hydrate(Map<String, ? extends Collection<Integer>> chunksByItem) {
        return chunksByItem.isEmpty() ? Map.of() : storage.read(h -> hydrate(h, chunksByItem));
    }

    /** {@link #hydrate(Map)} in the caller's read transaction. */
    Map<String, Hydrated> hydrate(Handle h, Map<String, ? extends Collection<Integer>> chunksByItem) {
        if (chunksByItem.isEmpty()) {
            return Map.of();
        }
        var ids = List.copyOf(chunksByItem.keySet());
        var numbers = chunksByItem.values().stream()
                .flatMap(Collection::stream)
                .distinct()
                .toList();
        var paddedIds = padded(ids);
        var paddedNumbers = padded(numbers);
        var args = new ArrayList<Object>(paddedIds);
        args.addAll(paddedNumbers);
        // Looked up by the primary key (item, number): a list of (item, number) pairs would make
        // SQLite read every chunk of memory. The pairs not asked for are dropped unopened.
        var texts = new HashMap<String, Map<Integer, byte[]>>();
        for (var chunk : h.query(
                "SELECT item_id, n, text FROM memory_chunks WHERE item_id IN (" + Handle.marks(paddedIds.size())
                        + ") AND n IN (" + Handle.marks(paddedNumbers.size()) + ")",
                row -> new Object[] {row.text("item_id"), (int) row.integer("n"), row.bytes("text")},
                args.toArray())) {
            if (chunksByItem.get((String) chunk[0]).contains((Integer) chunk[1])) {
                texts.computeIfAbsent((String) chunk[0], id -> new HashMap<>())
                        .put((Integer) chunk[1], (byte[]) chunk[2]);
            }
        }
        var found = new HashMap<String, Hydrated>();
        for (var row : h.query(
                "SELECT " + ITEM_COLUMNS + ", i.uses, i.used_at FROM memory_items i WHERE i.id IN ("
                        + Handle.marks(paddedIds.size()) + ")",
                row -> Map.entry(item(row), usage(row)),
                paddedIds.toArray())) {
            if (row.getKey().isEmpty()) {
                continue;
            }
            var item = row.getKey().get();
            var opened = new HashMap<Integer, String>();
            texts.getOrDefault(item.id(), Map.of())
                    .forEach((n, bytes) -> opened.put(n, sealer.openText(item.subject(), bytes)));
            var usage = row.getValue();
            found.put(item.id(), new Hydrated(item, usage.getKey(), usage.getValue(), opened));
        }
        return found;
    }

    /**
     * What ranks each of the items {@code ids} that are still in the table, read without opening
     * anything sealed (an item of a forgotten subject is found here and left out when it is opened),
     * in the caller's read transaction.
     */
    Map<String, Standing> standings(Handle h, Collection<String> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        var found = new HashMap<String, Standing>();
        var padded = padded(List.copyOf(ids));
        for (var standing : h.query(
                "SELECT id, kind, created_at, importance, used_at FROM memory_items WHERE id IN ("
                        + Handle.marks(padded.size()) + ")",
                row -> new Standing(
                        row.text("id"),
                        MemoryKind.fromWire(row.text("kind")),
                        row.instant("created_at"),
                        row.real("importance"),
                        row.optionalInstant("used_at")),
                padded.toArray())) {
            found.put(standing.id(), standing);
        }
        return found;
    }

    /**
     * {@code values} for an {@code IN (…)} list, its last one repeated up to the next power of two:
     * the lists of recalls change length every time, and so the statement's text would; padded, a
     * few statements serve every recall and the database keeps them prepared.
     */
    static <T> List<T> padded(List<T> values) {
        int size = Integer.highestOneBit(Math.max(1, values.size() - 1)) << 1;
        if (values.size() <= 1 || size == values.size()) {
            return values;
        }
        var padded = new ArrayList<T>(size);
        padded.addAll(values);
        while (padded.size() < size) {
            padded.add(values.getLast());
        }
        return padded;
    }

    private static Map.Entry<Long, Optional<Instant>> usage(Row row) {
        return Map.entry(row.integer("uses"), row.optionalInstant("used_at"));
    }

    private Optional<Item> item(Row row) {
        String subject = row.text("subject");
        try {
            return Optional.of(new Item(
                    row.text("id"),
                    MemoryKind.fromWire(row.text("kind")),
                    subject,
                    (int) row.integer("version"),
                    row.instant("created_at"),
                    row.real("importance"),
                    (int) row.integer("pinned") == 1,
                    row.text("source"),
                    (int) row.integer("chunks"),
                    row.integer("bytes"),
                    sealer.openJson(subject, row.bytes("metadata"))));
        } catch (ForgottenException e) {
            return Optional.empty();
        }
    }

    /** Marks items as used by a step now: their decay starts again. */
    void reinforce(Collection<String> ids, Instant now) {
        if (ids.isEmpty()) {
            return;
        }
        var args = new ArrayList<Object>();
        args.add(now.toEpochMilli());
        args.addAll(ids);
        storage.write(h -> h.update(
                "UPDATE memory_items SET uses = uses + 1, used_at = ? WHERE id IN (" + Handle.marks(ids.size()) + ")",
                args.toArray()));
    }

    /** Where episodic memory stopped reading the kernel's feed: event sequence and journal position. */
    long[] feedPositions() {
        return storage.read(h -> new long[] {feedPosition(h, "event"), feedPosition(h, "journal")});
    }

    private static long feedPosition(Handle h, String source) {
        return h.count("SELECT COALESCE(MAX(position), 0) FROM memory_feed WHERE source = ?", source);
    }

    /** Deletes items (and their chunks), with a change per item for the index; in the caller's transaction. */
    static int delete(Handle h, Collection<String> ids) {
        int deleted = 0;
        for (String id : ids) {
            h.update("DELETE FROM memory_chunks WHERE item_id = ?", id);
            deleted += h.update("DELETE FROM memory_items WHERE id = ?", id);
            change(h, Change.ITEM, id);
        }
        return deleted;
    }
}
