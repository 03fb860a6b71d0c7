package dev.aios.kernel.internal.store.sqlite;

import dev.aios.kernel.internal.store.jdbc.Writer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where SQLite's checkpoints run: the copy of the write-ahead log's pages into the database, after
 * which the log starts over. While the writer commits its units one or a few at a time, on its own
 * thread, as SQLite's automatic checkpoint does once the log holds {@value #PAGES} pages: a checkpoint
 * syncs the database file, and one beside the writer would make the writer's syncs of the log wait
 * at the disk behind it. While its batches are large, on a thread and a connection of their own
 * (SQLite's {@code PASSIVE} checkpoint, which never blocks the writer), so that the writer goes on
 * with the next batch instead of copying pages and waiting for the database file's sync.
 *
 * <p>A checkpoint beside the writer copies what was committed when it began; the log starts over
 * only when one ends with every page copied and no commit came meanwhile, which under a steady
 * stream of batches seldom happens. So once the log holds more than {@value #MOST_PAGES} pages
 * (64 MB of 4 KB pages; SQLite reads the log back at the first open after a crash), the writer runs
 * the next checkpoint itself, writing nothing meanwhile: it copies only what came since the last one
 * beside it, and the log starts over at the writer's next commit. A lower limit makes the writer
 * wait for those more often: at 4,000 pages, with a checkpoint beside it every 16 commits, 64 runs
 * in flight moved no faster than with SQLite's own checkpoints (BENCHMARKS.md). A checkpoint beside
 * the writer that fails hands checkpoints back to the writer (SQLite's automatic ones) for a while.
 */
final class Checkpoints implements Writer.BetweenBatches, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

    /** SQLite's automatic checkpoint: once the log holds this many pages. */
    static final int PAGES = 1000;

    /** Units a commit, on average over the last commits, from which checkpoints leave the writer. */
    static final double BESIDE_FROM = 4;

    /** Units a commit, on average, below which they come back to the writer. */
    static final double BESIDE_UNTIL = 2;

    /** Commits between two checkpoints beside the writer. */
    static final int EVERY = 64;

    /** Pages of log from which the writer runs the next checkpoint itself. */
    static final int MOST_PAGES = 16 * PAGES;

    /** Commits for which checkpoints stay on the writer after one beside it failed. */
    static final int AFTER_FAILURE = 10_000;

    /** Opens the checkpoints' own connection. */
    @FunctionalInterface
    interface Opener {
        Connection open() throws SQLException;
    }

    /** Runs a checkpoint on a connection; returns the pages the log holds. */
    @FunctionalInterface
    interface Checkpoint {
        long run(Connection connection) throws SQLException;
    }

    /** SQLite's {@code PASSIVE} checkpoint: copies what it can without waiting for anyone. */
    static final Checkpoint PASSIVE = connection -> {
        try (var st = connection.createStatement();
                var result = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            return result.next() ? result.getLong(2) : 0;
        }
    };

    private final Opener opener;
    private final Checkpoint checkpoint;

    /** Guards the request and the thread below; held only for moments. */
    private final Object lock = new Object();

    /** Held while a checkpoint runs; guards the connection. */
    private final Object running = new Object();

    private Connection connection;
    private boolean requested;
    private volatile boolean closed;
    private Thread thread;

    /** Pages in the log after the last checkpoint beside the writer. */
    private volatile long logPages;

    private volatile boolean failed;
    private final AtomicLong beside = new AtomicLong();
    private final AtomicLong onWriter = new AtomicLong();

    // The writer's thread only:
    private double unitsPerCommit = 1;
    private boolean besideNow;
    private int commitsSince;
    private int waitAfterFailure;

    /**
     * @param opener opens the checkpoints' own connection (at the first checkpoint beside the writer)
     * @param checkpoint what a checkpoint is ({@link #PASSIVE})
     */
    Checkpoints(Opener opener, Checkpoint checkpoint) {
        this.opener = opener;
        this.checkpoint = checkpoint;
    }

    @Override
    public void committed(int units, Connection writer) throws SQLException {
        unitsPerCommit += (units - unitsPerCommit) / 8;
        if (failed) {
            failed = false;
            waitAfterFailure = AFTER_FAILURE;
            if (besideNow) {
                toWriter(writer);
            }
        }
        if (waitAfterFailure > 0) {
            waitAfterFailure--;
            return;
        }
        if (!besideNow && unitsPerCommit >= BESIDE_FROM) {
            automatic(writer, 0);
            besideNow = true;
            commitsSince = 0;
        } else if (besideNow && unitsPerCommit < BESIDE_UNTIL) {
            toWriter(writer);
        }
        if (besideNow && ++commitsSince >= EVERY) {
            commitsSince = 0;
            if (logPages > MOST_PAGES) {
                runOnWriter();
            } else {
                request();
            }
        }
    }

    /** Checkpoints run beside the writer so far. */
    long beside() {
        return beside.get();
    }

    /** Checkpoints the writer waited for because the log had grown past {@link #MOST_PAGES}. */
    long onWriter() {
        return onWriter.get();
    }

    /** Whether checkpoints run beside the writer now; the writer's thread only. */
    boolean besideNow() {
        return besideNow;
    }

    private void toWriter(Connection writer) throws SQLException {
        besideNow = false;
        automatic(writer, PAGES);
    }

    private static void automatic(Connection writer, int pages) throws SQLException {
        try (var st = writer.createStatement()) {
            st.execute("PRAGMA wal_autocheckpoint = " + pages);
        }
    }

    /** Runs a checkpoint on the writer's thread, which writes nothing meanwhile. */
    private void runOnWriter() {
        run(onWriter);
        // What it said is the log before it starts over, which it does at the writer's next commit.
        logPages = 0;
    }

    private void request() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            requested = true;
            if (thread == null) {
                thread = Thread.ofPlatform().name("aios-checkpoint").daemon().start(this::loop);
            }
            lock.notifyAll();
        }
    }

    private void loop() {
        while (true) {
            synchronized (lock) {
                while (!requested && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // closing is what ends the loop
                    }
                }
                if (closed) {
                    return;
                }
                requested = false;
            }
            if (!run(beside)) {
                return;
            }
        }
    }

    /** Runs one checkpoint, counted in {@code counted} if it succeeds; false once closed. */
    private boolean run(AtomicLong counted) {
        synchronized (running) {
            if (closed) {
                return false;
            }
            try {
                runLocked();
                counted.incrementAndGet();
            } catch (SQLException | RuntimeException e) {
                fail(e);
            }
            return true;
        }
    }

    /** Runs one checkpoint on this object's connection; {@code running} held. */
    private void runLocked() throws SQLException {
        if (connection == null) {
            connection = opener.open();
        }
        logPages = checkpoint.run(connection);
    }

    private void fail(Exception e) {
        LOG.warn(
                "a checkpoint of the database beside its writer failed; the writer checkpoints itself for the"
                        + " next {} commits",
                AFTER_FAILURE,
                e);
        failed = true;
        closeConnection();
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // it only ever checkpointed
            }
            connection = null;
        }
    }

    /** Stops the checkpoints' thread (after the checkpoint it runs, if any) and closes its connection. */
    @Override
    public void close() {
        Thread started;
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
            started = thread;
        }
        if (started != null) {
            try {
                started.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (running) {
            closeConnection();
        }
    }
}
