package dev.aios.kernel.internal.store.sqlite;

import dev.aios.kernel.internal.store.AwaitStore;
import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.spi.Handle;
import java.time.Instant;
import java.util.List;

/** The awaits table. */
final class SqliteAwaits implements AwaitStore {
    private static final String KEY = " WHERE run_id = ? AND step_id = ? AND iteration = ?";

    private final Handle handle;

    SqliteAwaits(Handle handle) {
        this.handle = handle;
    }

    @Override
    public void add(WorkKey key, String eventType, String subject, Instant timeoutAt) {
        handle.update(
                "INSERT INTO awaits (run_id, step_id, iteration, event_type, subject, timeout_at) VALUES (?, ?, ?, ?, ?, ?)",
                key.runId(),
                key.step(),
                key.iteration(),
                eventType,
                subject,
                timeoutAt);
    }

    @Override
    public void remove(WorkKey key) {
        handle.update("DELETE FROM awaits" + KEY, key.runId(), key.step(), key.iteration());
    }

    @Override
    public void removeRun(String runId) {
        handle.update("DELETE FROM awaits WHERE run_id = ?", runId);
    }

    @Override
    public List<WorkKey> waitingFor(String eventType) {
        return handle.query(
                "SELECT run_id, step_id, iteration FROM awaits WHERE event_type = ? ORDER BY run_id",
                r -> new WorkKey(r.text("run_id"), r.text("step_id"), (int) r.integer("iteration")),
                eventType);
    }
}
