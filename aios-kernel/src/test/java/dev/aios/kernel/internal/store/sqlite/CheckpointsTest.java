package dev.aios.kernel.internal.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.internal.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite's checkpoints stay on the writer while it commits units one at a time, run beside it while
 * its batches are large, come back to it when they get small or a checkpoint beside it fails, and
 * run on the writer, which then writes nothing, when the log grew past its limit.
 */
class CheckpointsTest {
    @TempDir
    Path dir;

    /** An event of about 3 KB, so that each commit writes pages of its own. */
    private static Store.Unit<Integer> event(String id) {
        return WriterTest.insert(id, new byte[3000]);
    }

    private static long count(SqliteStore store) {
        return store.read(tx -> ((SqliteTx) tx).handle().count("SELECT COUNT(*) FROM events"));
    }

    private long logBytes() throws Exception {
        return Files.size(dir.resolve(SqliteStore.FILE + "-wal"));
    }

    @Test
    void writesOneAtATimeLeaveCheckpointsToTheWriterWhichKeepsTheLogShort() throws Exception {
        try (var store = SqliteStore.open(dir)) {
            for (int i = 0; i < 3_000; i++) {
                store.write(event("e" + i));
            }
            var checkpoints = store.checkpoints();
            assertThat(checkpoints.beside()).isZero();
            assertThat(checkpoints.onWriter()).isZero();
            assertThat(count(store)).isEqualTo(3_000);
            // 3,000 commits of at least two pages each: without checkpoints the log would hold them all
            // (over 24 MB); SQLite's own, on the writer, start it over every thousand pages.
            assertThat(logBytes()).isLessThan(3L * Checkpoints.PAGES * 4096);
        }
    }

    @Test
    void largeBatchesAreCheckpointedBesideTheWriterAndTheLogStartsOver() throws Exception {
        try (var store = SqliteStore.open(dir)) {
            int writers = 32;
            int each = 800;
            var pool = Executors.newFixedThreadPool(writers);
            var done = new ArrayList<CompletableFuture<Void>>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(CompletableFuture.runAsync(
                        () -> {
                            for (int i = 0; i < each; i++) {
                                store.write(event("w" + writer + "-" + i));
                            }
                        },
                        pool));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            pool.shutdown();
            var checkpoints = store.checkpoints();
            assertThat(count(store)).isEqualTo((long) writers * each);
            assertThat(checkpoints.beside()).isPositive();
            // 25,600 events of 3 KB: some 38,000 pages of log were written; it started over, after a
            // checkpoint beside the writer that no commit overtook or after one of the writer's own
            // once it had grown past its limit (aLogGrownPastItsLimitIsCheckpointedOnTheWritersThread).
            assertThat(logBytes()).isLessThan((Checkpoints.MOST_PAGES + 8L * Checkpoints.PAGES) * 4096);
        }
    }

    /** A connection standing for the writer's, on a database of its own. */
    private Connection writerConnection() throws SQLException {
        var connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db"));
        try (var st = connection.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
        }
        return connection;
    }

    private static long automatic(Connection connection) throws SQLException {
        try (var st = connection.createStatement();
                var rows = st.executeQuery("PRAGMA wal_autocheckpoint")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Test
    void checkpointsComeBackToTheWriterWhenItsBatchesGetSmall() throws Exception {
        var ran = new CountDownLatch(1);
        try (var writer = writerConnection();
                var checkpoints = new Checkpoints(() -> writerConnectionOfItsOwn(), connection -> {
                    ran.countDown();
                    return 10;
                })) {
            for (int i = 0; i < Checkpoints.EVERY + 8; i++) {
                checkpoints.committed(20, writer);
            }
            assertThat(checkpoints.besideNow()).isTrue();
            assertThat(automatic(writer)).isZero();
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();

            for (int i = 0; i < 30; i++) {
                checkpoints.committed(1, writer);
            }
            assertThat(checkpoints.besideNow()).isFalse();
            assertThat(automatic(writer)).isEqualTo(Checkpoints.PAGES);
        }
    }

    private Connection writerConnectionOfItsOwn() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db"));
    }

    @Test
    void aFailedCheckpointBesideTheWriterHandsCheckpointsBackToTheWriter() throws Exception {
        var failed = new CountDownLatch(1);
        try (var writer = writerConnection();
                var checkpoints = new Checkpoints(() -> writerConnectionOfItsOwn(), connection -> {
                    failed.countDown();
                    throw new SQLException("disk I/O error");
                })) {
            for (int i = 0; i < Checkpoints.EVERY + 8; i++) {
                checkpoints.committed(20, writer);
            }
            assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
            // The failure is taken at the first commit after it was recorded: back to SQLite's own
            // checkpoints on the writer, and there they stay for a while, however large the batches.
            for (int i = 0; i < 10_000 && checkpoints.besideNow(); i++) {
                Thread.sleep(1);
                checkpoints.committed(20, writer);
            }
            assertThat(checkpoints.besideNow()).isFalse();
            for (int i = 0; i < 2 * Checkpoints.EVERY; i++) {
                checkpoints.committed(20, writer);
            }
            assertThat(checkpoints.besideNow()).isFalse();
            assertThat(automatic(writer)).isEqualTo(Checkpoints.PAGES);
            assertThat(checkpoints.beside()).isZero();
        }
    }

    @Test
    void aLogGrownPastItsLimitIsCheckpointedOnTheWritersThread() throws Exception {
        List<Thread> threads = new CopyOnWriteArrayList<>();
        var first = new CountDownLatch(1);
        try (var writer = writerConnection();
                var checkpoints = new Checkpoints(() -> writerConnectionOfItsOwn(), connection -> {
                    threads.add(Thread.currentThread());
                    first.countDown();
                    // As if commits kept coming while it copied: the log never started over.
                    return Checkpoints.MOST_PAGES + 1;
                })) {
            // The second commit of 20 units brings the average over the mark; every EVERY commits after it, one
            // checkpoint.
            for (int i = 0; i < Checkpoints.EVERY + 1; i++) {
                checkpoints.committed(20, writer);
            }
            assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 1_000 && checkpoints.beside() == 0; i++) {
                Thread.sleep(10);
            }
            assertThat(checkpoints.beside()).isEqualTo(1);
            assertThat(threads.getFirst()).isNotEqualTo(Thread.currentThread());
            for (int i = 0; i < Checkpoints.EVERY; i++) {
                checkpoints.committed(20, writer);
            }
            assertThat(checkpoints.onWriter()).isEqualTo(1);
            assertThat(threads).hasSize(2);
            assertThat(threads.getLast()).isEqualTo(Thread.currentThread());
            // The log starts over at the writer's next commit: the next checkpoint is beside it again.
            for (int i = 0; i < Checkpoints.EVERY; i++) {
                checkpoints.committed(20, writer);
            }
            for (int i = 0; i < 1_000 && threads.size() < 3; i++) {
                Thread.sleep(10);
            }
            assertThat(checkpoints.onWriter()).isEqualTo(1);
            assertThat(threads).hasSize(3);
            assertThat(threads.getLast()).isNotEqualTo(Thread.currentThread());
        }
    }
}
