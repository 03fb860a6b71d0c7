package dev.aios.kernel.internal.engine;

import dev.aios.kernel.spi.FeedItem;
import dev.aios.kernel.spi.FeedListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Lets callers wait for runs to end (completed, failed, cancelled, compensated), woken by the
 * journal entries that end them, and on a shared database by every commit of another node (which
 * may have ended the run). Listens to the feed only once someone has waited.
 */
final class RunEnds implements FeedListener {
    private static final Set<String> ENDINGS = Set.of("RunCompleted", "RunFailed", "RunCancelled", "RunCompensated");

    private final Map<String, List<CompletableFuture<Void>>> waiting = new ConcurrentHashMap<>();
    private final Runnable subscribe;
    private volatile boolean subscribed;

    /** @param subscribe registers this listener with the feed; called on the first wait */
    RunEnds(java.util.function.Consumer<FeedListener> subscribe) {
        this.subscribe = () -> subscribe.accept(this);
    }

    /**
     * How often a waiter looks again whether its run ended: a run another node ends is told of by
     * that node's commit being heard ({@link #elsewhere}), which can be missed while the connection
     * is down.
     */
    private static final Duration LOOK_AGAIN = Duration.ofSeconds(1);

    /**
     * Waits up to {@code timeout} for {@code runId} to end; {@code ended} tells whether it has
     * already (checked after the wait is registered, so an ending in between is not missed).
     */
    void await(String runId, Duration timeout, BooleanSupplier ended) {
        if (!subscribed) {
            synchronized (this) {
                if (!subscribed) {
                    subscribe.run();
                    subscribed = true;
                }
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var done = new CompletableFuture<Void>();
            waiting.computeIfAbsent(runId, id -> new CopyOnWriteArrayList<>()).add(done);
            try {
                long left = deadline - System.nanoTime();
                if (ended.getAsBoolean() || left <= 0) {
                    return;
                }
                done.get(Math.min(left, LOOK_AGAIN.toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // look again, until the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            } finally {
                waiting.computeIfPresent(runId, (id, list) -> {
                    list.remove(done);
                    return list.isEmpty() ? null : list;
                });
            }
        }
    }

    /**
     * Another node committed: a run waited for may have ended there, which this node's feed does not
     * carry. Every waiter looks again.
     */
    void elsewhere() {
        waiting.values().forEach(list -> list.forEach(f -> f.complete(null)));
    }

    @Override
    public void accepted(List<FeedItem> items) {
        for (var item : items) {
            if (item.source().equals("journal") && ENDINGS.contains(item.type())) {
                var list = waiting.get(item.runId());
                if (list != null) {
                    list.forEach(f -> f.complete(null));
                }
            }
        }
    }
}
