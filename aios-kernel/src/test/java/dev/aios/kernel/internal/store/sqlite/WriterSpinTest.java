package dev.aios.kernel.internal.store.sqlite;

import static dev.aios.kernel.internal.store.sqlite.WriterTest.insert;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.internal.store.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller alone with the writer waits for its write by spinning a moment before it parks; a
 * write that takes longer is still answered, and while the writer works on several units, or another
 * caller waits too, nobody spins.
 */
class WriterSpinTest {
    @TempDir
    Path dir;

    private static java.util.List<String> ids(SqliteStore store) {
        return store.read(tx -> ((SqliteTx) tx).handle().query("SELECT id FROM events ORDER BY id", r -> r.text("id")));
    }

    @Test
    void writesOneAtATimeSpinAndAreAnsweredAlsoWhenTheyOutlastTheSpin() throws Exception {
        try (var store = SqliteStore.open(dir)) {
            var writer = store.writer();
            assertThat(store.write(insert("a"))).isEqualTo(1);
            long before = writer.spins();

            assertThat(store.write(insert("b"))).isEqualTo(1);
            assertThat(store.write(insert("c"))).isEqualTo(1);
            assertThat(writer.spins()).isEqualTo(before + 2);

            // Longer than any spin: the caller parks after it and still gets the unit's answer.
            Store.Unit<Integer> slow = tx -> {
                Thread.sleep(50);
                return insert("d").run(tx);
            };
            assertThat(store.write(slow)).isEqualTo(1);
            assertThat(writer.spins()).isEqualTo(before + 3);
            assertThat(ids(store)).containsExactly("a", "b", "c", "d");
        }
    }

    @Test
    void aWriteSentWhileTheWriterWorksOnSeveralUnitsParksWithoutSpinning() throws Exception {
        try (var store = SqliteStore.open(dir)) {
            var writer = store.writer();
            var running = new CountDownLatch(1);
            var held = new CountDownLatch(1);
            var first = store.submit(tx -> {
                running.countDown();
                held.await(10, TimeUnit.SECONDS);
                return 0;
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            // Queued behind the held unit: the writer takes them as one batch of several.
            var inBatch = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            var queued = new ArrayList<CompletableFuture<Integer>>();
            for (int i = 0; i < 4; i++) {
                queued.add(store.submit(insert("queued-" + i)));
            }
            queued.add(store.submit(tx -> {
                inBatch.countDown();
                release.await(10, TimeUnit.SECONDS);
                return insert("last-of-batch").run(tx);
            }));
            held.countDown();
            first.get(10, TimeUnit.SECONDS);
            assertThat(inBatch.await(10, TimeUnit.SECONDS)).isTrue();

            long before = writer.spins();
            var caller = CompletableFuture.supplyAsync(() -> store.write(insert("while-busy")));
            // The caller is queued (or about to be) while the batch of five is still open.
            Thread.sleep(50);
            release.countDown();

            assertThat(caller.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            for (var future : queued) {
                assertThat(future.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            }
            assertThat(writer.spins()).isEqualTo(before);
            assertThat(ids(store)).hasSize(6).contains("while-busy", "last-of-batch");
        }
    }

    @Test
    void aSecondCallerWaitingBesideAFirstParksWithoutSpinning() throws Exception {
        try (var store = SqliteStore.open(dir)) {
            var writer = store.writer();
            var running = new CountDownLatch(1);
            var held = new CountDownLatch(1);
            // A unit alone in its batch holds the writer: the next caller alone spins.
            var holding = store.submit(tx -> {
                running.countDown();
                held.await(10, TimeUnit.SECONDS);
                return 0;
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            long before = writer.spins();

            var firstCaller = CompletableFuture.supplyAsync(() -> store.write(insert("first")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (writer.spins() == before && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(writer.spins()).isEqualTo(before + 1);
            // The first caller still waits (the writer is held), spinning or parked: the second does not spin.
            var secondCaller = CompletableFuture.supplyAsync(() -> store.write(insert("second")));
            Thread.sleep(50);
            held.countDown();

            assertThat(holding.get(10, TimeUnit.SECONDS)).isZero();
            assertThat(firstCaller.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(secondCaller.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(writer.spins()).isEqualTo(before + 1);
            assertThat(ids(store)).containsExactly("first", "second");
        }
    }
}
