package dev.aios.kernel.internal.store.postgres;

import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.internal.store.jdbc.JdbcHandle;
import dev.aios.kernel.internal.store.jdbc.JdbcTx;
import dev.aios.kernel.internal.store.jdbc.WorkRow;
import java.util.Map;
import java.util.Optional;

/**
 * A transaction on the PostgreSQL store. Several nodes may write the database: the writer keeps the
 * run states it worked on, the leases it granted and the work rows of the runs it worked on, in
 * memory only while no other node's writer committed in between, which
 * each transaction learns from {@code writer_turns} in its first round trip; feed positions come
 * from the database's sequence.
 */
final class PostgresTx extends JdbcTx {
    private final PostgresStore store;
    private final long turn;
    /** The first transaction of this writer since another committed; 0 until the database said. */
    private long streak;

    PostgresTx(JdbcHandle handle, boolean writer, PostgresStore store, long turn) {
        super(handle, writer);
        this.store = store;
        this.turn = turn;
    }

    /** This transaction's number among the writer's transactions. */
    long turn() {
        return turn;
    }

    /** Told by the database: this writer has committed alone since its transaction {@code streak}. */
    void streak(long streak) {
        this.streak = streak;
    }

    /**
     * Takes this writer's turn now if it has not yet: from then on no other node commits until this
     * transaction has, and the store has heard of every forget committed before.
     */
    void takeTurn() {
        if (streak == 0) {
            // The turn is taken with the transaction's first round trip: this is it.
            handle().send();
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
        if (streak == 0) {
            // The turn is taken with the transaction's first round trip: this is it.
            handle().send();
        }
        return streak == 0 ? null : store.live(turn, streak);
    }

    @Override
    protected Map<WorkKey, String> leasesHeld() {
        // Until the first round trip has said who wrote last, the lease check asks the database
        // (and so is that round trip).
        return isWriter() && streak != 0 ? store.leases(turn, streak) : null;
    }

    @Override
    protected Map<String, Map<WorkKey, WorkRow>> workKept() {
        // As the leases: known only once the first round trip has said who wrote last.
        return isWriter() && streak != 0 ? store.work(turn, streak) : null;
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
