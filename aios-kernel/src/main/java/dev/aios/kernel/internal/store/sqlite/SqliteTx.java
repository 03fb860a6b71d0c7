package dev.aios.kernel.internal.store.sqlite;

import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.internal.store.jdbc.JdbcHandle;
import dev.aios.kernel.internal.store.jdbc.JdbcTx;
import dev.aios.kernel.internal.store.jdbc.KeptLeases;
import java.util.Map;

/**
 * A transaction on the SQLite store. The store is the only writer of its file, so it numbers feed
 * positions itself and its writer keeps in memory the states of the runs it works on and the leases
 * it granted.
 */
final class SqliteTx extends JdbcTx {
    private final SqliteStore store;

    SqliteTx(SqliteStore store, JdbcHandle handle, boolean writer) {
        super(handle, writer);
        this.store = store;
    }

    @Override
    protected long nextPosition() {
        return store.position.incrementAndGet();
    }

    @Override
    protected Map<String, RunState> liveRuns() {
        return isWriter() ? store.live : null;
    }

    @Override
    protected KeptLeases leasesHeld() {
        return isWriter() ? store.leases : null;
    }

    @Override
    protected void leaseChanged(WorkKey key) {
        if (!isWriter()) {
            // A read changes no lease, and the writer's map is the writer thread's alone.
            return;
        }
        store.leases.changed(key);
    }

    @Override
    protected void leasesOfRunChanged(String runId) {
        if (!isWriter()) {
            return;
        }
        store.leases.ofRunChanged(runId);
    }
}
