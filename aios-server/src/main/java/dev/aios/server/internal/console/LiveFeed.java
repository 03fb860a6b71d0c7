package dev.aios.server.internal.console;

import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.FeedItem;
import dev.aios.kernel.spi.FeedListener;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Tells open console pages what changed, as server-sent events: it hears every commit of the
 * kernel (as an {@link Extension}) and sends each page the topics it listens to, at most every
 * {@link #FLUSH_EVERY}, so a burst of commits costs a page one refresh.
 *
 * <p>Topics: {@code tasks} (a task opened or was answered), {@code runs} (any run changed),
 * {@code run-ID} (that run changed), {@code costs} (a step noted a model call), {@code tick} (every
 * {@link #TICK_EVERY}, for pages of figures that change without a commit, such as queue lag).
 */
public final class LiveFeed implements Extension, FeedListener {
    static final Duration FLUSH_EVERY = Duration.ofMillis(200);
    static final Duration TICK_EVERY = Duration.ofSeconds(2);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("aios-console-live").daemon().factory());

    /** One open page. */
    private record Listener(SseClient client, Set<String> topics) {
        void send(String topic) {
            synchronized (client) {
                client.sendEvent(topic, "changed");
            }
        }
    }

    public LiveFeed() {
        long flush = FLUSH_EVERY.toMillis();
        timer.scheduleWithFixedDelay(this::flush, flush, flush, TimeUnit.MILLISECONDS);
        long tick = TICK_EVERY.toMillis();
        timer.scheduleWithFixedDelay(() -> pending.add("tick"), tick, tick, TimeUnit.MILLISECONDS);
        long alive = KEEP_ALIVE.toMillis();
        timer.scheduleWithFixedDelay(this::keepAlive, alive, alive, TimeUnit.MILLISECONDS);
    }

    @Override
    public void attach(ExtensionHost host) {
        host.listen(this);
    }

    @Override
    public void accepted(List<FeedItem> items) {
        for (var item : items) {
            if (!item.source().equals("journal")) {
                continue;
            }
            pending.add("runs");
            pending.add("run-" + item.runId());
            switch (item.type()) {
                case "TaskOpened", "TaskResolved" -> pending.add("tasks");
                case "StepNoted" -> pending.add("costs");
                default -> {}
            }
        }
    }

    /** Keeps {@code client} open and sends it the changes of {@code topics} from now on. */
    void subscribe(SseClient client, Set<String> topics) {
        var listener = new Listener(client, Set.copyOf(topics));
        client.onClose(() -> listeners.remove(listener));
        listeners.add(listener);
        client.keepAlive();
        synchronized (client) {
            // The browser reconnects after a lost connection within a second.
            client.sendComment("listening to " + String.join(",", topics));
        }
    }

    /** How many pages listen; for tests. */
    int listening() {
        return listeners.size();
    }

    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        var topics = new HashSet<String>();
        for (var topic : List.copyOf(pending)) {
            if (pending.remove(topic)) {
                topics.add(topic);
            }
        }
        for (var listener : listeners) {
            for (var topic : topics) {
                if (listener.topics().contains(topic)) {
                    send(listener, topic);
                }
            }
        }
    }

    private void keepAlive() {
        for (var listener : listeners) {
            try {
                synchronized (listener.client()) {
                    listener.client().sendComment("alive");
                }
            } catch (RuntimeException e) {
                listeners.remove(listener);
            }
        }
    }

    private void send(Listener listener, String topic) {
        try {
            listener.send(topic);
        } catch (RuntimeException e) {
            listeners.remove(listener);
        }
        if (listener.client().terminated()) {
            listeners.remove(listener);
        }
    }

    /** Stops sending; the HTTP server closes the pages' connections when it stops. */
    @Override
    public void close() {
        timer.shutdownNow();
        listeners.clear();
    }
}
