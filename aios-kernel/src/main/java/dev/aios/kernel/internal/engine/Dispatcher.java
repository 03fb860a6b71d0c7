package dev.aios.kernel.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases due work and executes it on virtual threads, at most {@code concurrency} items at once.
 * Sleeps until the next item is due, the poll interval passes, or {@link #wake()} is called.
 */
final class Dispatcher<L> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    /** What one lease call got, and when the next item not yet due becomes due. */
    record Batch<L>(List<L> leases, Optional<Instant> nextDue) {}

    /** Where due items are leased from. */
    @FunctionalInterface
    interface Source<L> {
        /**
         * Leases up to {@code max} due items, each in a worker's place taken from {@code places} by
         * the write that leases it: a place another write took meanwhile (a run's first step handed
         * over by the write that logged its event) is then not leased twice.
         */
        Batch<L> lease(int max, Places places);
    }

    /** The worker places a {@link Source} takes for the items it leases. */
    interface Places {
        /**
         * Takes up to {@code wanted} free places, inside the write that leases (see {@link #take(int,
         * dev.aios.kernel.internal.store.Tx)}); returns how many it took.
         */
        int take(int wanted);

        /** Gives back {@code count} places taken and not used. */
        void giveBack(int count);

        /** Takes up to {@code wanted} free places in {@code tx}, given back if {@code tx} rolls back. */
        default int take(int wanted, dev.aios.kernel.internal.store.Tx tx) {
            int taken = take(wanted);
            tx.onRollback(() -> giveBack(taken));
            return taken;
        }
    }

    private final String name;
    private final Source<L> queue;
    private final Consumer<L> worker;
    private final int concurrency;
    private final Duration poll;
    private final InstantSource clock;
    private final ExecutorService executor;
    private final AtomicInteger inflight = new AtomicInteger();
    private final Object signal = new Object();
    private boolean signalled;
    private volatile boolean running;
    private Thread thread;
    /**
     * Whether a place freed by a finished item wakes the loop always, or only when the last look left
     * due work unleased for want of places ({@link #placesShort}).
     */
    private final boolean freedPlacesWake;
    /**
     * Whether the last look may have left due work unleased for want of places. Set before the look
     * reads the places in use, so that a worker finishing meanwhile sees it and wakes the loop.
     */
    private volatile boolean placesShort = true;

    /** A dispatcher of the kernel's work queue. */
    static Dispatcher<Lease> of(
            WorkQueue queue,
            WorkQueue.Firing firing,
            Consumer<Lease> worker,
            int concurrency,
            Duration poll,
            InstantSource clock) {
        return new Dispatcher<>(
                "step",
                (max, places) -> {
                    var batch = queue.lease(max, firing, places);
                    return new Batch<>(batch.leases(), batch.nextDue());
                },
                worker,
                concurrency,
                poll,
                clock,
                // A step's end records its outcome in a write that wakes the loop itself when it
                // leaves work due; its freed place matters only when places were short.
                false);
    }

    /**
     * Dispatches items of {@code queue} to {@code worker}.
     *
     * @param name names its threads ({@code aios-NAME-dispatcher}, {@code aios-NAME-1} …)
     */
    Dispatcher(String name, Source<L> queue, Consumer<L> worker, int concurrency, Duration poll, InstantSource clock) {
        this(name, queue, worker, concurrency, poll, clock, true);
    }

    /**
     * Dispatches items of {@code queue} to {@code worker}.
     *
     * @param freedPlacesWake whether every finished item wakes the loop (when finishing one is what
     *     makes the next due, as with an instance's next message), or only one that frees a place the
     *     last look lacked
     */
    private Dispatcher(
            String name,
            Source<L> queue,
            Consumer<L> worker,
            int concurrency,
            Duration poll,
            InstantSource clock,
            boolean freedPlacesWake) {
        this.name = name;
        this.freedPlacesWake = freedPlacesWake;
        this.executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("aios-" + name + "-", 0).factory());
        this.queue = queue;
        this.worker = worker;
        this.concurrency = concurrency;
        this.poll = poll;
        this.clock = clock;
    }

    void start() {
        running = true;
        thread = Thread.ofPlatform()
                .name(name.equals("step") ? "aios-dispatcher" : "aios-" + name + "-dispatcher")
                .daemon()
                .start(this::loop);
    }

    /** Tells the dispatcher that work may be due now. */
    void wake() {
        synchronized (signal) {
            // Only the dispatcher's thread waits, and a signal it has not taken yet wakes it anyway.
            if (!signalled) {
                signalled = true;
                signal.notify();
            }
        }
    }

    private void loop() {
        while (running) {
            Duration sleep = poll;
            try {
                placesShort = true;
                int free = concurrency - inflight.get();
                if (free > 0) {
                    var places = new Taken();
                    Batch<L> batch;
                    try {
                        batch = queue.lease(Math.min(free, 256), places);
                    } catch (RuntimeException e) {
                        places.giveBack(places.count.get());
                        throw e;
                    }
                    // Each item leased holds one of the places taken; the others are free again.
                    places.giveBack(places.count.get() - batch.leases().size());
                    for (var lease : batch.leases()) {
                        executor.execute(() -> execute(lease));
                    }
                    if (batch.leases().size() == Math.min(free, 256)) {
                        continue;
                    }
                    // Unless writes that handed their work over took places meanwhile (due work may
                    // then be left, and a freed place wakes the loop), everything due was leased: a
                    // place freed from now on finds nothing more.
                    if (!places.fewer) {
                        placesShort = false;
                        if (batch.nextDue().isPresent()) {
                            Duration untilDue = Duration.between(
                                    clock.instant(), batch.nextDue().get());
                            sleep = untilDue.isNegative() ? Duration.ZERO : min(untilDue, poll);
                        }
                    }
                }
            } catch (RuntimeException e) {
                LOG.error("leasing work failed; trying again in {}", poll, e);
            }
            await(sleep);
        }
    }

    /** The places one look takes: how many it holds, and whether it wanted more than were free. */
    private final class Taken implements Places {
        final AtomicInteger count = new AtomicInteger();
        volatile boolean fewer;

        @Override
        public int take(int wanted) {
            while (true) {
                int now = inflight.get();
                int taking = Math.max(0, Math.min(wanted, concurrency - now));
                if (inflight.compareAndSet(now, now + taking)) {
                    count.addAndGet(taking);
                    fewer = taking < wanted;
                    return taking;
                }
            }
        }

        @Override
        public void giveBack(int count) {
            if (count > 0) {
                this.count.addAndGet(-count);
                inflight.addAndGet(-count);
            }
        }
    }

    /**
     * Takes a worker's place for an item leased elsewhere (the write that started its run), when one
     * is free; the place is then the caller's until it {@link #release}s it or {@link #runReserved runs}
     * work in it.
     */
    boolean reserve() {
        while (true) {
            int now = inflight.get();
            if (!running || now >= concurrency) {
                return false;
            }
            if (inflight.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Gives back a place {@link #reserve}d and not used. */
    void release() {
        inflight.decrementAndGet();
        wake();
    }

    /** Runs {@code work} on a virtual thread in a place {@link #reserve}d for it, and frees the place after. */
    void runReserved(Runnable work) {
        try {
            executor.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.error("executing handed-over work failed; its lease will expire and it will run again", e);
                } finally {
                    freed();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Stopping: the lease brings the item back after the restart.
            inflight.decrementAndGet();
        }
    }

    private void execute(L lease) {
        try {
            worker.accept(lease);
        } catch (RuntimeException e) {
            LOG.error("executing {} failed; its lease will expire and it will run again", lease, e);
        } finally {
            freed();
        }
    }

    /** A finished item's place is free again: wakes the loop if that may let it lease more. */
    private void freed() {
        inflight.decrementAndGet();
        if (freedPlacesWake || placesShort) {
            wake();
        }
    }

    private void await(Duration sleep) {
        synchronized (signal) {
            long deadline = System.nanoTime() + sleep.toNanos();
            while (!signalled && running) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(signal, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
            signalled = false;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Stops leasing and gives executing steps {@code grace} to finish. */
    void stop(Duration grace) {
        running = false;
        wake();
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
