package dev.aios.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;

/**
 * Reads a running kernel's SQLite file directly, read-only, for what the public API does not
 * offer: totals over all runs, and a cheap status check. It knows the kernel's schema (the {@code
 * runs} and {@code journal} tables), so a schema change shows up here first.
 */
final class StoreProbe implements AutoCloseable {

    /** Totals, or what changed between two totals. */
    record Counts(long completedRuns, long completedSteps, long journalEntries) {
        Counts minus(Counts earlier) {
            return new Counts(
                    completedRuns - earlier.completedRuns,
                    completedSteps - earlier.completedSteps,
                    journalEntries - earlier.journalEntries);
        }
    }

    /** Totals as of {@code atNanos} ({@link System#nanoTime()}). */
    record Snapshot(long atNanos, Counts counts) {}

    /** Average sizes of what the kernel stores, in bytes. */
    record Sizes(double journalPayload, double journalRow, double stepCompletedPayload, double runState) {}

    private final Connection connection;
    private final PreparedStatement status;

    private StoreProbe(Connection connection) throws SQLException {
        this.connection = connection;
        // Each probe reads in its own short transaction, so several counts share one snapshot and no
        // snapshot stays open (which would hide new commits and hold back checkpoints).
        connection.setAutoCommit(false);
        this.status = connection.prepareStatement("SELECT status FROM runs WHERE id = ?");
    }

    /** Opens the kernel database in {@code dataDirectory} read-only. */
    static StoreProbe open(Path dataDirectory) throws SQLException {
        var config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(10_000);
        Path file = dataDirectory.resolve("aios.db").toAbsolutePath();
        return new StoreProbe(config.createConnection("jdbc:sqlite:" + file));
    }

    /** Completed runs, completed steps and journal entries, as of one snapshot. */
    Snapshot counts() throws SQLException {
        long at = System.nanoTime();
        try {
            return new Snapshot(
                    at,
                    new Counts(
                            single("SELECT COUNT(*) FROM runs WHERE status = 'completed'"),
                            single("SELECT COUNT(*) FROM journal WHERE type = 'StepCompleted'"),
                            single("SELECT COUNT(*) FROM journal")));
        } finally {
            connection.commit();
        }
    }

    /** Whether run {@code runId} is durably completed. */
    boolean completed(String runId) throws SQLException {
        status.setString(1, runId);
        try (var rs = status.executeQuery()) {
            return rs.next() && rs.getString(1).equals("completed");
        } finally {
            connection.commit();
        }
    }

    /** Average stored sizes over the whole database. */
    Sizes sizes() throws SQLException {
        try (var st = connection.createStatement();
                var rs = st.executeQuery("SELECT AVG(LENGTH(payload)),"
                        + " AVG(LENGTH(run_id) + 8 + LENGTH(type) + 8 + LENGTH(subject) + LENGTH(codec)"
                        + " + LENGTH(payload) + LENGTH(checksum)),"
                        + " AVG(CASE WHEN type = 'StepCompleted' THEN LENGTH(payload) END),"
                        + " (SELECT AVG(LENGTH(state)) FROM runs) FROM journal")) {
            rs.next();
            return new Sizes(rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4));
        } finally {
            connection.commit();
        }
    }

    private long single(String sql) throws SQLException {
        try (var st = connection.createStatement();
                var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        status.close();
        connection.close();
    }
}
