package dev.aios.kernel.internal.store.postgres;

import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.internal.store.jdbc.DueAhead;
import dev.aios.kernel.internal.store.jdbc.JdbcHandle;
import dev.aios.kernel.internal.store.jdbc.JdbcTx;
import dev.aios.kernel.internal.store.jdbc.KeptLeases;
import dev.aios.kernel.internal.store.jdbc.WorkRow;
import java.util.Map;
import java.util.Optional;

/**
 * A transaction on the PostgreSQL store. Several nodes may write the database: the writer keeps the
 * run states it worked on, the leases it granted and the work rows of the runs it worked on in
 * memory, and forgets a run's when another node's writer changed the run. Each writer transaction
 * takes its turn in its first round trip (which brings what the others changed since this writer's
 * last) and, as it commits, says which runs it changed ({@code writer_changes}); feed positions come
 * from the database's sequence.
 */
final class PostgresTx extends JdbcTx {
    /**
     * How many turns back a writer reads what the others changed; one whose last turn is older
     * forgets everything it kept. About ten seconds of turns at full speed.
     */
    static final long KEPT_TURNS = 1_000;

    private final PostgresStore store;
    /** This transaction's turn among the writers' transactions; 0 until the database said. */
    private long turn;
    /** The runs this transaction changed, in the order first changed. */
    private final java.util.Set<String> changed = new java.util.LinkedHashSet<>();
    /** Whether it changed rows of runs it cannot name. */
    private boolean changedAny;
    /** The number of the last event logged, as of this transaction's turn and its own events; -1 until known. */
    private long eventsHead = -1;
    /** The items due longest its turn looks at, known once the turn's answer came. */
    private DueAhead dueAheadLater;

    PostgresTx(JdbcHandle handle, boolean writer, PostgresStore store) {
        super(handle, writer);
        this.store = store;
    }

    /** This transaction's turn among the writers' transactions, 0 until the database said. */
    long turn() {
        return turn;
    }

    /** Told by the database: this is the writers' transaction {@code turn}; the last event logged is {@code eventsHead}. */
    void turn(long turn, long eventsHead) {
        this.turn = turn;
        this.eventsHead = eventsHead;
        if (dueAheadLater != null) {
            // Its rows come right after the turn's, in the same answer.
            dueAhead(dueAheadLater);
            dueAheadLater = null;
        }
    }

    /** {@inheritDoc} Numbered after it from then on, as the database's own numbers go. */
    @Override
    protected void eventLogged(long seq) {
        if (eventsHead >= 0 && seq > eventsHead) {
            eventsHead = seq;
        }
    }

    /** The items due longest that the turn's message looks at, known from the turn on. */
    void dueAheadLater(DueAhead ahead) {
        this.dueAheadLater = ahead;
    }

    /**
     * {@inheritDoc} Known from the turn: writers log events only in their turn, one after the other,
     * so the last number the turn saw and those this transaction gave out since tell the next.
     */
    @Override
    protected java.util.OptionalLong nextEventSeq(String id, String other) {
        if (!isWriter() || !handle().merging() || !store.newEvent(id, other)) {
            return java.util.OptionalLong.empty();
        }
        takeTurn();
        return eventsHead < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(++eventsHead);
    }

    /**
     * Takes this writer's turn now if it has not yet: from then on no other node commits until this
     * transaction has, and the store has heard of every forget committed before.
     */
    void takeTurn() {
        if (turn == 0) {
            // The turn is taken with the transaction's first round trip: this is it.
            handle().send();
        }
    }

    @Override
    protected void runChanged(String runId) {
        if (!isWriter()) {
            return;
        }
        if (runId == null) {
            changedAny = true;
        } else if (!changedAny) {
            changed.add(runId);
        }
    }

    /**
     * Says which runs this transaction changed, sent with its commit (the writer has sent its
     * units' statements, so the turn is known), while other nodes write too: a node that writes
     * alone says nothing, which costs nothing, and one that cannot tell which runs it changed says
     * nothing either: the others forget everything after a turn that said nothing. Every 256 turns
     * it also drops what no writer reads any more.
     */
    @Override
    public void beforeCommit() {
        if (changedAny || !store.othersWriteLately()) {
            return;
        }
        handle().updateLater(
                        "INSERT INTO writer_changes (turn, node, runs) SELECT turn, node, ? FROM writer_turns WHERE id = 1",
                        String.join("\n", changed));
        if (turn % 256 == 0) {
            handle().updateLater("DELETE FROM writer_changes WHERE turn < ?", turn - KEPT_TURNS);
        }
    }

    @Override
    protected void keysDestroyed() {
        // Counted, and heard by every node (this one too) when the transaction commits.
        handle().updateLater("WITH counted AS (UPDATE writer_turns SET forgets = forgets + 1 WHERE id = 1"
                + " RETURNING forgets) SELECT pg_notify('" + Notifications.FORGETS + "', forgets::text) FROM counted");
    }

    @Override
    protected long nextPosition() {
        return handle().count("SELECT nextval('journal_pos')");
    }

    @Override
    protected Optional<String> positionExpression() {
        return Optional.of("nextval('journal_pos')");
    }

    @Override
    protected Map<String, RunState> liveRuns() {
        if (!isWriter()) {
            return null;
        }
        takeTurn();
        return turn == 0 ? null : store.live();
    }

    @Override
    protected KeptLeases leasesHeld() {
        // Until the first round trip has said what other writers changed, the lease check asks the
        // database (and so is that round trip).
        return isWriter() && turn != 0 ? store.leases() : null;
    }

    @Override
    protected Map<String, Map<WorkKey, WorkRow>> workKept() {
        // As the leases: known only once the first round trip has said what other writers changed.
        return isWriter() && turn != 0 ? store.work() : null;
    }

    @Override
    protected void workForgotten(String runId) {
        if (isWriter()) {
            store.workForgotten(runId);
        }
    }

    @Override
    protected void leaseChanged(WorkKey key) {
        if (isWriter()) {
            store.leaseChanged(key);
        }
    }

    @Override
    protected void leasesOfRunChanged(String runId) {
        if (isWriter()) {
            store.leasesOfRunChanged(runId);
        }
    }
}
