package dev.aios.kernel.internal.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.kernel.internal.store.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer survives whatever a unit throws: that unit fails, the others in its batch commit. */
class WriterTest {
    @TempDir
    Path dir;

    private static long notes(SqliteStore db) {
        return db.read(tx -> ((SqliteTx) tx).handle().count("SELECT COUNT(*) AS n FROM events"));
    }

    /** Inserts an event row with id {@code id}. */
    static Store.Unit<Integer> insert(String id) {
        return insert(id, new byte[] {'{', '}'});
    }

    /** Inserts an event whose data is {@code data}. */
    static Store.Unit<Integer> insert(String id, byte[] data) {
        return tx -> ((SqliteTx) tx)
                .handle()
                .update(
                        "INSERT INTO events (id, type, subject, source, time, correlation_id, causation_id, codec, data,"
                                + " received_at) VALUES (?, 'test', '', 'test', 0, '', '', 'json', ?, 0)",
                        id,
                        data);
    }

    @Test
    void aUnitThatThrowsAnErrorFailsAloneAndTheWriterGoesOn() throws Exception {
        try (var db = SqliteStore.open(dir)) {
            // Hold the writer so that all units below land in one batch.
            var hold = new CountDownLatch(1);
            var held = db.submit(tx -> {
                hold.await(10, TimeUnit.SECONDS);
                return null;
            });
            var futures = new ArrayList<CompletableFuture<?>>();
            futures.add(db.submit(insert("before")));
            futures.add(db.submit(tx -> {
                insert("lost-1").run(tx);
                throw new OutOfMemoryError("Java heap space");
            }));
            futures.add(db.submit(tx -> {
                insert("lost-2").run(tx);
                throw new StackOverflowError();
            }));
            futures.add(db.submit(insert("after")));
            hold.countDown();
            held.get(10, TimeUnit.SECONDS);

            assertThat(futures.get(0).get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThatThrownBy(() -> futures.get(1).get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("OutOfMemoryError")
                    .hasMessageContaining("nothing of it was recorded");
            assertThatThrownBy(() -> futures.get(2).get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("StackOverflowError");
            assertThat(futures.get(3).get(10, TimeUnit.SECONDS)).isEqualTo(1);
            java.util.List<String> ids = db.read(
                    tx -> ((SqliteTx) tx).handle().query("SELECT id FROM events ORDER BY id", r -> r.text("id")));
            assertThat(ids).containsExactly("after", "before");
            assertThat(db.write(insert("later"))).isEqualTo(1);
            assertThat(db.broken()).isEmpty();
            assertThat(notes(db)).isEqualTo(3);
        }
    }

    @Test
    void aUnitAloneInItsCommitThatFailsLeavesNothingAndTheNextOneCommits() throws Exception {
        try (var db = SqliteStore.open(dir)) {
            assertThat(db.write(insert("first"))).isEqualTo(1);
            var undone = new java.util.concurrent.atomic.AtomicInteger();

            // One write at a time: each is the only unit of its commit.
            assertThatThrownBy(() -> db.write(tx -> {
                        tx.onRollback(undone::incrementAndGet);
                        insert("lost-1").run(tx);
                        throw new IllegalArgumentException("refused");
                    }))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> db.write(tx -> {
                        insert("lost-2").run(tx);
                        return insert("first").run(tx);
                    }))
                    .hasMessageContaining("could not write to the database");
            assertThatThrownBy(() -> db.write(tx -> {
                        tx.onRollback(undone::incrementAndGet);
                        insert("lost-3").run(tx);
                        throw new StackOverflowError();
                    }))
                    .hasMessageContaining("nothing of it was recorded");

            assertThat(db.write(insert("next"))).isEqualTo(1);
            java.util.List<String> ids = db.read(
                    tx -> ((SqliteTx) tx).handle().query("SELECT id FROM events ORDER BY id", r -> r.text("id")));
            assertThat(ids).containsExactly("first", "next");
            assertThat(undone).hasValue(2);
            assertThat(db.broken()).isEmpty();
        }
    }

    @Test
    void aWriteWhoseCallerGaveUpBeforeItRanIsNeverWritten() throws Exception {
        try (var db = SqliteStore.open(dir)) {
            var hold = new CountDownLatch(1);
            db.submit(tx -> {
                hold.await(10, TimeUnit.SECONDS);
                return null;
            });
            var waiting = Thread.ofVirtual().start(() -> {
                try {
                    db.write(insert("abandoned"));
                } catch (RuntimeException expected) {
                    // interrupted below
                }
            });
            Thread.sleep(100);
            waiting.interrupt();
            waiting.join(10_000);
            hold.countDown();

            db.write(insert("next"));
            java.util.List<String> ids =
                    db.read(tx -> ((SqliteTx) tx).handle().query("SELECT id FROM events", r -> r.text("id")));
            assertThat(ids).containsExactly("next");
        }
    }
}
