package dev.aios.policy.internal;

import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The runs in progress the anomaly baselines have seen start: their playbook, which names the scope
 * of their steps' observations, and their start, from which their run time is measured. A run that
 * ends is forgotten; one that has not ended after {@link #MEMORY} is forgotten too, and loses only
 * its run time.
 */
final class SeenRuns {
    /** How long a run that has not ended is remembered. */
    static final Duration MEMORY = Duration.ofDays(90);

    /** A run seen to start. */
    record Run(String playbook, Instant at) {}

    private SeenRuns() {}

    static void started(Handle c, String runId, String playbook, Instant at) throws SQLException {
        Sql.update(
                c,
                "INSERT INTO policy_runs (run_id, playbook, started_at) VALUES (?, ?, ?) ON CONFLICT (run_id) DO NOTHING",
                runId,
                playbook,
                at);
    }

    static Optional<Run> get(Handle c, String runId) throws SQLException {
        return Sql.one(
                c,
                "SELECT playbook, started_at FROM policy_runs WHERE run_id = ?",
                r -> new Run(r.getString(1), Instant.ofEpochMilli(r.getLong(2))),
                runId);
    }

    /** The run ended: nothing more about it needs its start. */
    static void ended(Handle c, String runId) throws SQLException {
        Sql.update(c, "DELETE FROM policy_runs WHERE run_id = ?", runId);
    }

    /** Forgets the runs started before {@code before} that have not ended; returns how many. */
    static int prune(Storage storage, Instant before) {
        return storage.write(c -> Sql.update(c, "DELETE FROM policy_runs WHERE started_at < ?", before));
    }
}
