package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.internal.store.JournalStore;
import dev.aios.kernel.internal.store.StoredEntry;
import dev.aios.kernel.spi.Row;
import java.util.List;
import java.util.Optional;

/** The journal table. Feed positions are numbered by the store (see {@link JdbcTx#nextPosition}). */
final class JdbcJournal implements JournalStore {
    private static final String COLUMNS = "run_id, seq, type, at, subject, codec, payload, checksum";
    /** An insert into the journal before its rows. */
    private static final String HEAD = "INSERT INTO journal (" + COLUMNS + ", pos) VALUES ";

    /** The insert of an entry whose position is numbered here (SQLite's single writer). */
    private static final String INSERT_AT_POSITION = insert("?");

    /** The insert of an entry numbered by PostgreSQL's sequence, as {@link #flush} makes it there. */
    static final String INSERT_NUMBERED = insert("nextval('journal_pos')");

    private final JdbcTx tx;
    /**
     * Entries the unit in progress added and that are not written yet (PostgreSQL writer): a unit
     * interleaves its entries with the changes they project to, and they are written together, in
     * one insert, when the unit ends ({@link JdbcTx#flush}) or before the journal is read.
     */
    private final List<StoredEntry> unwritten = new java.util.ArrayList<>();

    JdbcJournal(JdbcTx tx) {
        this.tx = tx;
    }

    /** Writes the entries added and not written yet, in the order they were added, in one insert. */
    void flush() {
        if (unwritten.isEmpty()) {
            return;
        }
        String row = "(?, ?, ?, ?, ?, ?, ?, ?, " + tx.positionExpression().orElseThrow() + ")";
        for (var e : unwritten) {
            tx.handle().insertLater(HEAD, row, values(e));
        }
        unwritten.clear();
    }

    /** Forgets the entries added and not written yet: their unit is rolled back. */
    void forget() {
        unwritten.clear();
    }

    @Override
    public long append(StoredEntry e) {
        // Numbered after those added before it.
        flush();
        tx.runChanged(e.runId());
        began(e);
        var numbered = tx.positionExpression();
        if (numbered.isPresent()) {
            return tx.handle().count(insert(numbered.get()) + " RETURNING pos", values(e));
        }
        long position = tx.nextPosition();
        // A work row held back stays held (see JdbcWork#add): neither statement reads the other's table.
        tx.handle().updateBesideHeld(INSERT_AT_POSITION, values(e, position));
        return position;
    }

    @Override
    public void add(StoredEntry e) {
        tx.runChanged(e.runId());
        var numbered = tx.positionExpression();
        if (numbered.isEmpty()) {
            append(e);
            return;
        }
        began(e);
        if (tx.handle().defersWrites()) {
            unwritten.add(e);
            return;
        }
        tx.handle().updateLater(insert(numbered.get()), values(e));
    }

    /**
     * A run's first entry: the run has no work yet (had it been begun before, the entry's insert
     * would fail, and its unit with it).
     */
    private void began(StoredEntry e) {
        if (e.seq() == 1) {
            tx.runBegun(e.runId());
        }
    }

    /** The insert of one entry whose feed position is {@code position} (an SQL expression or {@code ?}). */
    private static String insert(String position) {
        return HEAD + "(?, ?, ?, ?, ?, ?, ?, ?, " + position + ")";
    }

    /** The values of {@link #COLUMNS} for {@code e}, then {@code more}. */
    private static Object[] values(StoredEntry e, Object... more) {
        var values = new java.util.ArrayList<Object>(java.util.Arrays.asList(
                e.runId(), e.seq(), e.type(), e.at(), e.subject(), e.codec(), e.payload(), e.checksum()));
        java.util.Collections.addAll(values, more);
        return values.toArray();
    }

    @Override
    public List<StoredEntry> entries(String runId, long afterSeq) {
        flush();
        return tx.handle()
                .query(
                        "SELECT " + COLUMNS + " FROM journal WHERE run_id = ? AND seq > ? ORDER BY seq",
                        JdbcJournal::entry,
                        runId,
                        afterSeq);
    }

    @Override
    public List<StoredEntry> entries(String runId, long afterSeq, int limit) {
        flush();
        return tx.handle()
                .query(
                        "SELECT " + COLUMNS + " FROM journal WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                        JdbcJournal::entry,
                        runId,
                        afterSeq,
                        limit);
    }

    @Override
    public Optional<String> checksum(String runId, long seq) {
        flush();
        return tx.handle()
                .queryOne(
                        "SELECT checksum FROM journal WHERE run_id = ? AND seq = ?",
                        r -> r.text("checksum"),
                        runId,
                        seq);
    }

    @Override
    public List<String> runIds() {
        flush();
        return tx.handle().query("SELECT DISTINCT run_id FROM journal ORDER BY run_id", r -> r.text("run_id"));
    }

    @Override
    public void pseudonymize(String runId, String subject, String pseudonym) {
        flush();
        tx.runChanged(runId);
        tx.handle()
                .update("UPDATE journal SET subject = ? WHERE run_id = ? AND subject = ?", pseudonym, runId, subject);
    }

    /** The most encodings one read of the journal looks for. */
    private static final int ENCODINGS_A_READ = 200;

    @Override
    public List<String> runsEncodedWith(java.util.Collection<Encoding> encodings) {
        flush();
        var all = List.copyOf(new java.util.LinkedHashSet<>(encodings));
        var runs = new java.util.TreeSet<String>();
        for (int from = 0; from < all.size(); from += ENCODINGS_A_READ) {
            var some = all.subList(from, Math.min(all.size(), from + ENCODINGS_A_READ));
            var args = new Object[some.size() * 2];
            for (int i = 0; i < some.size(); i++) {
                args[2 * i] = some.get(i).subject();
                args[2 * i + 1] = some.get(i).codec();
            }
            runs.addAll(tx.handle()
                    .query(
                            "SELECT DISTINCT run_id FROM journal WHERE (subject, codec) IN (VALUES "
                                    + String.join(", ", java.util.Collections.nCopies(some.size(), "(?, ?)"))
                                    + ")",
                            r -> r.text("run_id"),
                            args));
        }
        return List.copyOf(runs);
    }

    @Override
    public List<Positioned> after(long position, int limit) {
        flush();
        return tx.handle()
                .query(
                        "SELECT pos, " + COLUMNS + " FROM journal WHERE pos > ? ORDER BY pos LIMIT ?",
                        r -> new Positioned(r.integer("pos"), entry(r)),
                        position,
                        limit);
    }

    static StoredEntry entry(Row r) {
        return new StoredEntry(
                r.text("run_id"),
                r.integer("seq"),
                r.text("type"),
                r.instant("at"),
                r.text("subject"),
                r.text("codec"),
                r.bytes("payload"),
                r.text("checksum"));
    }
}
