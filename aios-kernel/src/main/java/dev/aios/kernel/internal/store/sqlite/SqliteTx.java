package dev.aios.kernel.internal.store.sqlite;

import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.jdbc.JdbcHandle;
import dev.aios.kernel.internal.store.jdbc.JdbcTx;
import java.util.Map;

/**
 * A transaction on the SQLite store. The store is the only writer of its file, so it numbers feed
 * positions itself and its writer keeps the states of the runs it works on in memory.
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
}
