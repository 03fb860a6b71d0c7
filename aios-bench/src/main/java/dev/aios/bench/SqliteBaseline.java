package dev.aios.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.sqlite.SQLiteConfig;

/**
 * What SQLite alone does on this disk: journal-sized rows inserted straight through JDBC into a
 * table shaped like the kernel's journal, with the kernel's settings (WAL, synchronous FULL), from
 * one thread, {@code perCommit} rows per transaction. With one row per commit every insert pays one
 * fsync, which bounds any design that makes each step durable on its own.
 */
final class SqliteBaseline {
    private final Path workDirectory;

    SqliteBaseline(Path workDirectory) {
        this.workDirectory = workDirectory;
    }

    /**
     * Inserts rows with {@code payloadBytes} of payload for {@code duration}, committing every {@code
     * perCommit}; {@code when} labels the measurement.
     */
    Results.Baseline measure(String when, int perCommit, int payloadBytes, Duration duration) throws Exception {
        long start = System.nanoTime();
        long until = start + duration.toNanos();
        long inserts = insert(perCommit, payloadBytes, (rows, nanos) -> System.nanoTime() < until);
        return new Results.Baseline(
                when, perCommit, inserts, Duration.ofNanos(System.nanoTime() - start), payloadBytes);
    }

    /** Told of each commit of {@link #insert}; says whether to go on. */
    @FunctionalInterface
    interface Commits {
        /**
         * The transaction that brought the rows inserted so far to {@code rows} committed, {@code
         * nanos} after its first insert began; false ends the inserting.
         */
        boolean committed(long rows, long nanos);
    }

    /**
     * Inserts journal-shaped rows with {@code payloadBytes} of payload into a fresh database file,
     * {@code perCommit} a transaction, telling {@code commits} of each commit until it says to stop;
     * answers the number of rows inserted.
     */
    long insert(int perCommit, int payloadBytes, Commits commits) throws Exception {
        Files.createDirectories(workDirectory);
        Path dir = Files.createTempDirectory(workDirectory, "aios-baseline-");
        try (Connection c = open(dir.resolve("baseline.db"))) {
            try (var st = c.createStatement()) {
                st.execute("CREATE TABLE journal (run_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,"
                        + " at INTEGER NOT NULL, subject TEXT NOT NULL, codec TEXT NOT NULL, payload BLOB NOT NULL,"
                        + " checksum TEXT NOT NULL, PRIMARY KEY (run_id, seq)) WITHOUT ROWID");
            }
            c.setAutoCommit(false);
            byte[] payload = payload(payloadBytes);
            String checksum = "0".repeat(64);
            long inserts = 0;
            try (var insert = c.prepareStatement("INSERT INTO journal (run_id, seq, type, at, subject, codec, payload,"
                    + " checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                boolean more = true;
                while (more) {
                    long began = System.nanoTime();
                    for (int i = 0; i < perCommit; i++) {
                        inserts++;
                        // Runs of eleven entries, like the kernel's: keys spread over many runs.
                        insert.setString(1, "r-" + (inserts / 11));
                        insert.setLong(2, inserts % 11);
                        insert.setString(3, "StepCompleted");
                        insert.setLong(4, System.currentTimeMillis());
                        insert.setString(5, "customer-" + (inserts % 100));
                        insert.setString(6, "json");
                        insert.setBytes(7, payload);
                        insert.setString(8, checksum);
                        insert.executeUpdate();
                    }
                    c.commit();
                    more = commits.committed(inserts, System.nanoTime() - began);
                }
            }
            return inserts;
        } finally {
            KernelLoad.deleteTree(dir);
        }
    }

    private static Connection open(Path file) throws SQLException {
        var config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    /** JSON-like text of {@code size} bytes, the size of a real journal entry's payload. */
    private static byte[] payload(int size) {
        byte[] template = ("{\"step\":\"s3\",\"iteration\":0,\"input\":{\"customer\":\"customer-42\",\"text\":"
                        + "\"Follow up on the proposal for the spring campaign\"},\"output\":{}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = template[i % template.length];
        }
        return out;
    }
}
