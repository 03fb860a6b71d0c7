package dev.aios.kernel.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DispatcherTest {

    @Test
    void aPlaceTakenForHandedOverWorkWhileTheDispatcherLeasesIsNotFilledTwice() throws Exception {
        var due = new AtomicInteger(1);
        var running = new AtomicInteger();
        var most = new AtomicInteger();
        var ran = new CopyOnWriteArrayList<String>();
        var handedOverDone = new CountDownLatch(1);
        var leased = new CountDownLatch(1);
        var dispatcherRef = new java.util.concurrent.atomic.AtomicReference<Dispatcher<String>>();
        var firstLook = new AtomicInteger();
        Dispatcher.Source<String> source = (max, places) -> {
            if (firstLook.getAndIncrement() == 0) {
                // Between the dispatcher's count of its free places and its lease's write, a write
                // that logged an event took the only place for the run's first step it handed over.
                var dispatcher = dispatcherRef.get();
                assertThat(dispatcher.reserve()).isTrue();
                dispatcher.runReserved(() -> {
                    work(running, most, ran, "handed over");
                    handedOverDone.countDown();
                });
            }
            int taken = places.take(Math.min(max, due.get()));
            due.addAndGet(-taken);
            var leases = taken == 0 ? List.<String>of() : List.of("leased");
            return new Dispatcher.Batch<>(leases, Optional.empty());
        };
        try (var dispatcher = new Dispatcher<>(
                "test",
                source,
                item -> {
                    work(running, most, ran, item);
                    leased.countDown();
                },
                1,
                Duration.ofSeconds(30),
                InstantSource.system())) {
            dispatcherRef.set(dispatcher);
            dispatcher.start();

            assertThat(handedOverDone.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(leased.await(10, TimeUnit.SECONDS))
                    .as("the item due is leased once the place is free again, without waiting for the poll")
                    .isTrue();
        }
        assertThat(ran).containsExactly("handed over", "leased");
        assertThat(most.get())
                .as("never more items at once than the concurrency")
                .isEqualTo(1);
    }

    /** Runs an item for a moment, counting how many run at once. */
    private static void work(AtomicInteger running, AtomicInteger most, List<String> ran, String item) {
        int now = running.incrementAndGet();
        most.accumulateAndGet(now, Math::max);
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ran.add(item);
            running.decrementAndGet();
        }
    }
}
