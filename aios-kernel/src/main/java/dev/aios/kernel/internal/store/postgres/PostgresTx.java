package dev.aios.kernel.internal.store.postgres;

import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.jdbc.JdbcHandle;
import dev.aios.kernel.internal.store.jdbc.JdbcTx;
import java.util.Map;
import java.util.Optional;

/**
 * A transaction on the PostgreSQL store. Several nodes may write the database, so run states are
 * always read from it, and feed positions come from its sequence.
 */
final class PostgresTx extends JdbcTx {

    PostgresTx(JdbcHandle handle, boolean writer) {
        super(handle, writer);
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
        return null;
    }
}
