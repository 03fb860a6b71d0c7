package dev.aios.kernel.internal.journal;

import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.run.Projector;
import dev.aios.kernel.internal.run.RunFold;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Tx;
import dev.aios.kernel.spi.FeedItem;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Appends entries to a run's journal in the caller's transaction: folds them into the run's state,
 * chains their checksums, stores their payloads through the codec, and projects them onto the
 * derived tables, so that the journal and the tables never disagree.
 */
public final class RunJournal {

    /** An entry as stored. */
    public record Stored(
            String runId,
            long seq,
            String type,
            Instant at,
            String subject,
            String codec,
            byte[] payload,
            String checksum) {}

    private final PayloadCodec codec;
    private final FeedHub feed;

    public RunJournal(PayloadCodec codec, FeedHub feed) {
        this.codec = codec;
        this.feed = feed;
    }

    /** The codec payloads pass through. */
    public PayloadCodec codec() {
        return codec;
    }

    /**
     * The states of runs the writer worked on lately, so that a step does not parse its run's
     * state again on every write. Touched only on the writer's thread; a unit that rolls back
     * drops what it changed.
     */
    private final Map<String, RunState> live = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RunState> eldest) {
            return size() > 10_000;
        }
    };

    /** Told, inside the transaction, that entries just appended changed a run's status. */
    @FunctionalInterface
    public interface StatusListener {
        /** {@code state} was in {@code before} when the entries were appended. */
        void changed(Tx tx, RunState state, dev.aios.kernel.RunStatus before) throws SQLException;
    }

    private volatile StatusListener listener = (tx, state, before) -> {};

    /** Tells {@code listener} of every change of a run's status, in the transaction making it. */
    public void onStatusChange(StatusListener listener) {
        this.listener = listener;
    }

    /** The run's current state, if the run exists. */
    public Optional<RunState> load(Tx tx, String runId) throws SQLException {
        if (tx.isWriter()) {
            var cached = live.get(runId);
            if (cached != null) {
                return Optional.of(cached);
            }
        }
        var state = tx.queryOne(
                "SELECT state FROM runs WHERE id = ?", r -> Json.read(r.text("state"), RunState.class), runId);
        if (tx.isWriter()) {
            state.ifPresent(s -> live.put(runId, s));
        }
        return state;
    }

    /** Drops a cached state whose row was changed by other means (on the writer's thread). */
    public void invalidate(String runId) {
        live.remove(runId);
    }

    /**
     * Appends {@code entries} at {@code at}, changing {@code state} in place and the tables with it.
     * The caller's transaction makes all of it one change.
     */
    public RunState append(Tx tx, RunState state, Instant at, List<JournalEntry> entries) throws SQLException {
        Instant when = at.truncatedTo(ChronoUnit.MILLIS);
        if (tx.isWriter()) {
            live.put(state.id, state);
            tx.onRollback(() -> live.remove(state.id));
        }
        var before = state.status;
        var items = feed.hasListeners() ? new java.util.ArrayList<FeedItem>() : null;
        for (var entry : entries) {
            RunFold.apply(state, entry, when);
            long seq = state.seq + 1;
            var encoded = codec.encode(state.subject, Json.bytes(entry));
            String checksum = Checksums.chain(
                    state.checksum, state.id, seq, entry.type(), when.toEpochMilli(), encoded.codec(), encoded.bytes());
            long pos = feed.nextPosition();
            tx.update(
                    "INSERT INTO journal (run_id, seq, type, at, subject, codec, payload, checksum, pos)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    state.id,
                    seq,
                    entry.type(),
                    when,
                    state.subject,
                    encoded.codec(),
                    encoded.bytes(),
                    checksum,
                    pos);
            if (items != null) {
                items.add(new FeedItem("journal", pos, state.id, entry.type(), state.subject, when, Json.tree(entry)));
            }
            state.seq = seq;
            state.checksum = checksum;
            Projector.project(tx, state, entry, when);
        }
        Projector.saveRun(tx, state);
        if (items != null) {
            feed.publish(tx, items);
        }
        if (before != state.status) {
            listener.changed(tx, state, before);
        }
        return state;
    }

    /** The run's entries as stored, oldest first. */
    public List<Stored> stored(Tx tx, String runId) throws SQLException {
        return stored(tx, runId, 0);
    }

    /** The run's entries after {@code afterSeq}, as stored, oldest first. */
    public List<Stored> stored(Tx tx, String runId, long afterSeq) throws SQLException {
        return stored(tx, runId, afterSeq, Integer.MAX_VALUE);
    }

    /** At most {@code limit} of the run's entries after {@code afterSeq}, as stored, oldest first. */
    public List<Stored> stored(Tx tx, String runId, long afterSeq, int limit) throws SQLException {
        return tx.query(
                "SELECT run_id, seq, type, at, subject, codec, payload, checksum FROM journal WHERE run_id = ? AND seq > ?"
                        + " ORDER BY seq LIMIT ?",
                r -> new Stored(
                        r.text("run_id"),
                        r.integer("seq"),
                        r.text("type"),
                        r.instant("at"),
                        r.text("subject"),
                        r.text("codec"),
                        r.bytes("payload"),
                        r.text("checksum")),
                runId,
                afterSeq,
                limit);
    }

    /** Decodes a stored entry. */
    public JournalEntry decode(Stored stored) {
        var type = JournalEntry.TYPES.get(stored.type());
        if (type == null) {
            throw new IllegalStateException("journal entry " + stored.runId() + "#" + stored.seq()
                    + " has unknown type '" + stored.type() + "'");
        }
        return Json.read(codec.decode(stored.subject(), stored.codec(), stored.payload()), type);
    }

    /** Decodes a stored entry's payload as JSON. */
    public byte[] payload(Stored stored) {
        return codec.decode(stored.subject(), stored.codec(), stored.payload());
    }
}
