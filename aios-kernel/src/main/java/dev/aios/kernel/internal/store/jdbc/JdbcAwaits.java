package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.internal.store.AwaitStore;
import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.spi.Row;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The awaits table. */
final class JdbcAwaits implements AwaitStore {
    private static final String KEY = " WHERE run_id = ? AND step_id = ? AND iteration = ?";
    private static final String COLUMNS = "run_id, step_id, iteration, event_type, checked_seq";

    private final JdbcHandle handle;

    JdbcAwaits(JdbcHandle handle) {
        this.handle = handle;
    }

    @Override
    public void add(WorkKey key, String eventType, String subject, Instant timeoutAt, long checkedFrom) {
        handle.updateLater(
                "INSERT INTO awaits (run_id, step_id, iteration, event_type, subject, timeout_at, checked_seq)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)",
                key.runId(),
                key.step(),
                key.iteration(),
                eventType,
                subject,
                timeoutAt,
                checkedFrom);
    }

    @Override
    public void remove(WorkKey key) {
        handle.updateLater("DELETE FROM awaits" + KEY, key.runId(), key.step(), key.iteration());
    }

    @Override
    public void removeRun(String runId) {
        handle.updateLater("DELETE FROM awaits WHERE run_id = ?", runId);
    }

    @Override
    public void removeWithin(String runId, String scope) {
        handle.updateLater(
                "DELETE FROM awaits WHERE run_id = ? AND substr(step_id, 1, CAST(? AS INTEGER)) = ?",
                runId,
                scope.length() + 1,
                scope + "/");
    }

    @Override
    public long count() {
        return handle.count("SELECT COUNT(*) AS n FROM awaits");
    }

    @Override
    public Optional<Waiting> find(WorkKey key) {
        return handle.queryOne(
                "SELECT " + COLUMNS + " FROM awaits" + KEY,
                JdbcAwaits::waiting,
                key.runId(),
                key.step(),
                key.iteration());
    }

    @Override
    public List<Waiting> waitingFor(String eventType) {
        return handle.query(
                "SELECT " + COLUMNS + " FROM awaits WHERE event_type = ? ORDER BY run_id",
                JdbcAwaits::waiting,
                eventType);
    }

    @Override
    public void whetherWaitingFor(String eventType, java.util.function.Consumer<Boolean> answer) {
        // A hint (a wait it misses is found by the look for waits behind): it may see the batch's later writes.
        handle.lookLater(
                "SELECT CASE WHEN EXISTS (SELECT 1 FROM awaits WHERE event_type = ?) THEN 1 ELSE 0 END AS waiting",
                row -> answer.accept(row.integer("waiting") != 0),
                eventType);
    }

    @Override
    public List<Waiting> behind(int limit) {
        return handle.query(
                "SELECT a.run_id, a.step_id, a.iteration, a.event_type, a.checked_seq FROM awaits a"
                        + " WHERE EXISTS (SELECT 1 FROM events e WHERE e.type = a.event_type AND e.seq > a.checked_seq)"
                        + " LIMIT ?",
                JdbcAwaits::waiting,
                limit);
    }

    @Override
    public boolean behind(WorkKey key) {
        return handle.count(
                        "SELECT COUNT(*) FROM awaits a WHERE a.run_id = ? AND a.step_id = ? AND a.iteration = ?"
                                + " AND EXISTS (SELECT 1 FROM events e WHERE e.type = a.event_type"
                                + " AND e.seq > a.checked_seq)",
                        key.runId(),
                        key.step(),
                        key.iteration())
                > 0;
    }

    @Override
    public void checked(WorkKey key, long upTo) {
        handle.updateLater("UPDATE awaits SET checked_seq = ?" + KEY, upTo, key.runId(), key.step(), key.iteration());
    }

    private static Waiting waiting(Row r) {
        return new Waiting(
                new WorkKey(r.text("run_id"), r.text("step_id"), (int) r.integer("iteration")),
                r.text("event_type"),
                r.integer("checked_seq"));
    }
}
