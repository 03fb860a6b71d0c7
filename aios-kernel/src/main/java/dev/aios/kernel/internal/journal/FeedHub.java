package dev.aios.kernel.internal.journal;

import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.Tx;
import dev.aios.kernel.spi.FeedItem;
import dev.aios.kernel.spi.FeedListener;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands what each commit recorded to the extensions listening, after the commit and off the
 * writer's thread.
 */
public final class FeedHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FeedHub.class);

    private final List<FeedListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("aios-feed").daemon().factory());

    public void listen(FeedListener listener) {
        listeners.add(listener);
    }

    /** Delivers {@code items} once {@code tx} has committed. */
    public void publish(Tx tx, List<FeedItem> items) {
        if (listeners.isEmpty() || items.isEmpty()) {
            return;
        }
        tx.afterCommit(() -> delivery.execute(() -> deliver(items)));
    }

    private void deliver(List<FeedItem> items) {
        for (var listener : listeners) {
            try {
                listener.accepted(items);
            } catch (RuntimeException e) {
                LOG.error("a feed listener failed; it catches up from the feed on its next start", e);
            }
        }
    }

    /**
     * An item whose payload is still its JSON: parsed on the delivery thread, once the transaction
     * recording it committed, rather than on the writer's.
     */
    public record Unparsed(
            String source, long position, String runId, String type, String subject, Instant at, byte[] json) {
        FeedItem parse() {
            return new FeedItem(source, position, runId, type, subject, at, Json.tree(json));
        }
    }

    /** Delivers {@code items}, parsed on the delivery thread, once {@code tx} has committed. */
    public void publishUnparsed(Tx tx, List<Unparsed> items) {
        if (listeners.isEmpty() || items.isEmpty()) {
            return;
        }
        tx.afterCommit(() -> delivery.execute(() -> {
            List<FeedItem> parsed;
            try {
                parsed = items.stream().map(Unparsed::parse).toList();
            } catch (RuntimeException e) {
                LOG.error(
                        "recorded items could not be read for the feed; listeners catch up from the feed on their next start",
                        e);
                return;
            }
            deliver(parsed);
        }));
    }

    /** Whether anyone listens (so that items need not be built). */
    public boolean hasListeners() {
        return !listeners.isEmpty();
    }

    @Override
    public void close() {
        delivery.shutdown();
    }
}
