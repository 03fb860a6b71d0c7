package dev.aios.kernel.internal.store.sqlite;

import static dev.aios.kernel.internal.store.sqlite.WriterTest.insert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.kernel.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer commits without syncing SQLite's log and syncs it itself: nobody hears of a change
 * before the log holding it is on disk, the writer goes on with the next changes meanwhile, and a
 * log that cannot be synced stops the writer with every change it covers failed.
 */
class LogSyncTest {
    @TempDir
    Path dir;

    private static List<String> ids(SqliteStore db) {
        return db.read(tx -> ((SqliteTx) tx).handle().query("SELECT id FROM events ORDER BY id", r -> r.text("id")));
    }

    @Test
    void aChangeIsToldOfOnlyOnceTheLogHoldingItIsSyncedAndTheWriterGoesOnMeanwhile() throws Exception {
        var gate = new AtomicReference<CountDownLatch>();
        var syncs = new AtomicInteger();
        try (var db = SqliteStore.open(dir, wal -> () -> {
            var closed = gate.get();
            if (closed != null) {
                try {
                    closed.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            wal.sync();
            syncs.incrementAndGet();
        })) {
            // A write alone is synced before it returns.
            assertThat(db.write(insert("alone"))).isEqualTo(1);
            assertThat(syncs.get()).isGreaterThanOrEqualTo(1);

            var held = new CountDownLatch(1);
            gate.set(held);
            var told = new CopyOnWriteArrayList<String>();
            var onCommit = new CountDownLatch(1);
            var second = new AtomicReference<CompletableFuture<Integer>>();
            var first = db.submit(tx -> {
                // The next change queues while this one commits, so its log is synced on the side.
                second.set(db.submit(tx2 -> {
                    tx2.afterCommit(() -> told.add("second's after-commit"));
                    return insert("second").run(tx2);
                }));
                tx.onCommit(onCommit::countDown);
                tx.afterCommit(() -> told.add("first's after-commit"));
                return insert("first").run(tx);
            });
            first.whenComplete((r, e) -> told.add("first"));

            // The writer's own memory follows the commit at once; the writer committed the second
            // change on top of the first while the first's log was not synced yet.
            assertThat(onCommit.await(10, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!ids(db).contains("second") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(ids(db)).containsExactly("alone", "first", "second");
            Thread.sleep(100);
            assertThat(first).isNotDone();
            assertThat(second.get()).isNotDone();
            assertThat(told).isEmpty();

            held.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(second.get().get(10, TimeUnit.SECONDS)).isEqualTo(1);
            // In commit order: the first change's after-commit actions and caller, then the second's.
            assertThat(told.subList(0, 2)).containsExactly("first's after-commit", "first");
            assertThat(told).contains("second's after-commit");
            assertThat(db.broken()).isEmpty();
        }
    }

    @Test
    void aLogThatCannotBeSyncedFailsTheChangesItHoldsAndStopsTheWriter() throws Exception {
        var failing = new AtomicReference<Boolean>(false);
        try (var db = SqliteStore.open(dir, wal -> () -> {
            if (failing.get()) {
                throw new IOException("Input/output error");
            }
            wal.sync();
        })) {
            assertThat(db.write(insert("kept"))).isEqualTo(1);
            failing.set(true);

            assertThatThrownBy(() -> db.write(insert("unsure")))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("could not sync its log to disk (Input/output error)")
                    .hasMessageContaining("it may be lost")
                    .hasMessageContaining("Restart aios");
            assertThat(db.broken()).hasValueSatisfying(why -> assertThat(why).contains("syncing its log"));
            // Nothing is written any more: the operator restarts, and the restart reads back what is on disk.
            assertThatThrownBy(() -> db.write(insert("after")))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("Restart aios");
        }
        try (var db = SqliteStore.open(dir)) {
            assertThat(ids(db)).contains("kept").doesNotContain("after");
            assertThat(db.write(insert("again"))).isEqualTo(1);
        }
    }
}
