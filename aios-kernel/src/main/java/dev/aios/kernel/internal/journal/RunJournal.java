package dev.aios.kernel.internal.journal;

import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.run.Projector;
import dev.aios.kernel.internal.run.RunFold;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.StoredEntry;
import dev.aios.kernel.internal.store.Tx;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Appends entries to a run's journal in the caller's transaction: folds them into the run's state,
 * chains their checksums, stores their payloads through the codec, and projects them onto the
 * derived state, so that the journal and the derived state never disagree.
 */
public final class RunJournal {
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

    /** Told, inside the transaction, that entries just appended changed a run's status. */
    @FunctionalInterface
    public interface StatusListener {
        /** {@code state} was in {@code before} when the entries were appended. */
        void changed(Tx tx, RunState state, dev.aios.kernel.RunStatus before);
    }

    private volatile StatusListener listener = (tx, state, before) -> {};

    /** Tells {@code listener} of every change of a run's status, in the transaction making it. */
    public void onStatusChange(StatusListener listener) {
        this.listener = listener;
    }

    /**
     * The run's current state, if the run exists: as the store holds it (see {@link
     * dev.aios.kernel.internal.store.RunStore#load}), with the journal's entries after its stored
     * JSON folded in.
     */
    public Optional<RunState> load(Tx tx, String runId) {
        return tx.runs().load(runId).map(stored -> {
            var state = stored.state();
            if (stored.behind()) {
                for (var entry : tx.journal().entries(runId, state.seq)) {
                    RunFold.applyStored(state, decode(entry), entry.at(), entry.seq(), entry.checksum());
                }
            }
            return state;
        });
    }

    /**
     * Appends {@code entries} at {@code at}, changing {@code state} in place and the derived state
     * with it. The caller's transaction makes all of it one change.
     */
    public RunState append(Tx tx, RunState state, Instant at, List<JournalEntry> entries) {
        Instant when = at.truncatedTo(ChronoUnit.MILLIS);
        var before = state.status;
        var items = feed.hasListeners() ? new ArrayList<FeedHub.Unparsed>() : null;
        for (var entry : entries) {
            long seq = state.seq + 1;
            String type = entry.type();
            String subject = entry instanceof JournalEntry.RunStarted started ? started.subject() : state.subject;
            // Encoded before the fold changes the state: the codec may write (a subject's first key)
            // and so have the state written, which must then be as of its seq, whole.
            byte[] plain = Json.bytes(entry);
            var encoded = codec.encode(subject, plain);
            String checksum = Checksums.chain(
                    state.checksum, state.id, seq, type, when.toEpochMilli(), encoded.codec(), encoded.bytes());
            RunFold.applyStored(state, entry, when, seq, checksum);
            var stored = new StoredEntry(
                    state.id, seq, type, when, state.subject, encoded.codec(), encoded.bytes(), checksum);
            if (items != null) {
                long position = tx.journal().append(stored);
                // Parsed back on the feed's thread: the writer has the entry's JSON already.
                items.add(new FeedHub.Unparsed("journal", position, state.id, type, state.subject, when, plain));
            } else {
                // Nobody follows the feed: the position is not asked for, so the row may go with later ones.
                tx.journal().add(stored);
            }
            Projector.project(tx, state, entry, when);
        }
        tx.runs().save(state);
        if (items != null) {
            feed.publishUnparsed(tx, items);
        }
        if (before != state.status) {
            listener.changed(tx, state, before);
        }
        return state;
    }

    /** The run's entries as stored, oldest first. */
    public List<StoredEntry> stored(Tx tx, String runId) {
        return stored(tx, runId, 0);
    }

    /** The run's entries after {@code afterSeq}, as stored, oldest first. */
    public List<StoredEntry> stored(Tx tx, String runId, long afterSeq) {
        return tx.journal().entries(runId, afterSeq);
    }

    /** At most {@code limit} of the run's entries after {@code afterSeq}, as stored, oldest first. */
    public List<StoredEntry> stored(Tx tx, String runId, long afterSeq, int limit) {
        return tx.journal().entries(runId, afterSeq, limit);
    }

    /** Decodes a stored entry. */
    public JournalEntry decode(StoredEntry stored) {
        return Json.read(payload(stored), EntryTypes.typeOf(stored.type()));
    }

    /** Decodes a stored entry's payload as JSON. */
    public byte[] payload(StoredEntry stored) {
        return codec.decode(stored.subject(), stored.codec(), stored.payload());
    }
}
