package dev.aios.connectors.internal.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Event;
import dev.aios.connectors.DeliveryStatus;
import dev.aios.connectors.DeliveryView;
import dev.aios.connectors.internal.Secrets;
import dev.aios.connectors.internal.webhook.SignatureScheme;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.Feed;
import dev.aios.kernel.spi.FeedItem;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outgoing webhooks: events, and run and task changes, that subscriptions want are written down as
 * deliveries (durably, once per subscription and item, read from the kernel's feed so a restart
 * misses nothing) and POSTed, signed with the Standard Webhooks scheme ({@code webhook-id}, {@code
 * webhook-timestamp}, {@code webhook-signature}). A delivery that is not answered 2xx is tried again
 * with a doubling backoff; after its last attempt it is failed and a {@code delivery.failed} event is
 * sent, which puts it in the operator's inbox ({@link FailedDeliveries}) to send again or drop; {@code
 * aios deliveries --failed} lists it too.
 */
public final class Deliveries implements AutoCloseable {
    /** The type of the event sent when a delivery has no attempts left. */
    public static final String FAILED = "delivery.failed";

    private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MAX_BACKOFF = Duration.ofHours(6);
    private static final Duration LOOK_AT_LEAST_EVERY = Duration.ofSeconds(5);
    private static final Map<String, String> CHANGES = Map.of(
            "RunStarted", "run.started",
            "RunCompleted", "run.completed",
            "RunFailed", "run.failed",
            "RunCancelled", "run.cancelled",
            "RunCompensated", "run.compensated",
            "TaskOpened", "task.opened",
            "TaskResolved", "task.resolved");

    private final Map<String, Subscription> subscriptions;
    private final Secrets secrets;
    private final Feed feed;
    private final DeliveryStore store;
    private final dev.aios.kernel.spi.SubjectCipher cipher;
    private final InstantSource clock;
    private final Function<Event, ?> send;
    /** Made on the first delivery: building an HTTP client starts its selector thread and takes a while. */
    private HttpClient http;

    private final Object signal = new Object();
    private volatile boolean running;
    private Thread loop;

    public Deliveries(Map<String, Subscription> subscriptions, Secrets secrets, ExtensionHost host) {
        this.subscriptions = Map.copyOf(subscriptions);
        this.secrets = secrets;
        this.feed = host.feed();
        this.store = new DeliveryStore(host.storage(), host.cipher());
        this.cipher = host.cipher();
        this.clock = host.clock();
        this.send = host::send;
        int sealed = store.sealOlder();
        if (sealed > 0) {
            LOG.info("sealed the bodies of {} deliveries kept from before bodies were sealed", sealed);
        }
        if (store.position() == null) {
            // Deliveries begin with what happens from now on, not with the whole history.
            var last = lastPositions();
            store.collect(List.of(), null, last[0], last[1], clock.instant());
        }
    }

    private long[] lastPositions() {
        long events = 0;
        long journal = 0;
        List<FeedItem> page;
        do {
            page = feed.after(events, journal, 1000);
            for (var item : page) {
                if (item.source().equals("event")) {
                    events = Math.max(events, item.position());
                } else {
                    journal = Math.max(journal, item.position());
                }
            }
        } while (!page.isEmpty());
        return new long[] {events, journal};
    }

    /** Writes down the deliveries of what the feed has gained; returns how many items were read. */
    public synchronized int collect() {
        var position = store.position();
        long events = position[0];
        long journal = position[1];
        int read = 0;
        List<FeedItem> page;
        do {
            var from = new long[] {events, journal};
            page = feed.after(events, journal, 500);
            var deliveries = new ArrayList<DeliveryStore.New>();
            for (var item : page) {
                if (item.source().equals("event")) {
                    events = Math.max(events, item.position());
                } else {
                    journal = Math.max(journal, item.position());
                }
                var type = item.source().equals("event") ? item.type() : CHANGES.get(item.type());
                if (type == null || type.equals(FAILED)) {
                    continue; // a failed delivery is never itself delivered, so failures cannot feed on themselves
                }
                for (var subscription : subscriptions.values()) {
                    if (subscription.wants(type)) {
                        deliveries.add(new DeliveryStore.New(
                                "dlv_" + subscription.name() + "_" + item.source() + "_" + item.position(),
                                subscription.name(),
                                type,
                                item.subject(),
                                body(type, item)));
                    }
                }
            }
            if (store.collect(deliveries, from, events, journal, clock.instant())) {
                read += page.size();
            } else {
                // Another node collected these meanwhile: read on from where it stopped.
                position = store.position();
                events = position[0];
                journal = position[1];
            }
        } while (!page.isEmpty());
        return read;
    }

    private static String body(String type, FeedItem item) {
        var body = JSON.createObjectNode();
        body.put("type", type);
        body.put("timestamp", item.at().toString());
        var data = body.putObject("data");
        if (!item.runId().isEmpty()) {
            data.put("runId", item.runId());
        }
        if (!item.subject().isEmpty()) {
            data.put("subject", item.subject());
        }
        data.set(item.source().equals("event") ? "event" : "change", item.payload());
        return body.toString();
    }

    /** Sends the deliveries that are due now; returns how many were delivered. */
    public synchronized int deliverDue() {
        int delivered = 0;
        for (var due : store.due(clock.instant(), 100)) {
            var subscription = subscriptions.get(due.subscription());
            var now = clock.instant();
            if (subscription == null) {
                failedForGood(
                        due,
                        due.subscription(),
                        "",
                        due.attempts(),
                        "subscription '" + due.subscription() + "' is no longer in aios.yaml");
                continue;
            }
            if (!store.claim(due, now)) {
                continue; // sent or being sent by another node
            }
            var error = post(subscription, due);
            int attempts = due.attempts() + 1;
            if (error.isEmpty()) {
                store.attempted(due, DeliveryStatus.DELIVERED, now, Optional.empty(), clock.instant());
                delivered++;
            } else if (attempts >= subscription.attempts()) {
                LOG.warn(
                        "delivery {} to {} failed for good after {} attempts: {}",
                        due.id(),
                        subscription.name(),
                        attempts,
                        error.get());
                failedForGood(due, subscription.name(), subscription.url().toString(), attempts, error.get());
            } else {
                var wait = subscription.backoff().multipliedBy(1L << Math.min(attempts - 1, 20));
                wait = wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
                store.attempted(due, DeliveryStatus.PENDING, clock.instant().plus(wait), error, clock.instant());
            }
        }
        return delivered;
    }

    private Optional<String> post(Subscription subscription, DeliveryStore.Due due) {
        String secret;
        try {
            secret = secrets.require(subscription.secret(), "subscriptions." + subscription.name());
        } catch (Secrets.MissingSecret e) {
            return Optional.of(e.getMessage());
        }
        var body = due.body().getBytes(StandardCharsets.UTF_8);
        var timestamp = String.valueOf(clock.instant().getEpochSecond());
        String signature;
        try {
            signature = "v1,"
                    + Base64.getEncoder()
                            .encodeToString(SignatureScheme.StandardWebhooks.sign(secret, due.id(), timestamp, body));
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
        var request = HttpRequest.newBuilder(subscription.url())
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("webhook-id", due.id())
                .header("webhook-timestamp", timestamp)
                .header("webhook-signature", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            var response = http().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                return Optional.empty();
            }
            var text = response.body() == null ? "" : response.body();
            return Optional.of("answered " + response.statusCode()
                    + (text.isBlank() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "…" : text)));
        } catch (IOException e) {
            return Optional.of("could not be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /**
     * Fails a delivery for good: first the {@code delivery.failed} event (its id names the round, so
     * a crash before the delivery is marked repeats it as a duplicate, not a second inbox item),
     * then the delivery itself.
     */
    private void failedForGood(DeliveryStore.Due due, String subscription, String url, int attempts, String error) {
        int round = due.rounds() + 1;
        var data = JSON.createObjectNode();
        data.put("delivery", due.id());
        data.put("subscription", subscription);
        data.put("url", url);
        data.put("type", due.type());
        data.put("attempts", attempts);
        data.put("round", round);
        data.put("error", error);
        try {
            send.apply(new Event(
                    "delivery-failed:" + due.id() + ":" + round,
                    FAILED,
                    // About the delivery's subject, so that forgetting it also ends the inbox item
                    // (whose error may quote the receiver's answer about it).
                    due.subject().isEmpty() ? subscription : due.subject(),
                    "connectors",
                    clock.instant(),
                    data,
                    "",
                    ""));
        } catch (RuntimeException e) {
            LOG.warn("the failure of delivery {} could not be recorded as an event: {}", due.id(), e.getMessage());
        }
        store.failed(due, attempts, round, error, clock.instant());
    }

    /**
     * Keeps the deliveries of earlier subscriptions private when aios.yaml has none now: seals
     * bodies kept from before bodies were sealed, and forgets subjects in them when asked.
     */
    public static void keepPrivate(ExtensionHost host) {
        var store = new DeliveryStore(host.storage(), host.cipher());
        store.sealOlder();
        host.onForget(subject -> store.forget(
                subject, host.cipher().pseudonym(subject), host.clock().instant()));
    }

    /**
     * Forgets {@code subject}: the bodies of its deliveries are deleted, those not sent yet are
     * dropped, and the rows are kept (for the count) under the subject's pseudonym. Waits for a
     * collection under way, so that nothing it writes about the subject escapes.
     */
    public synchronized int forget(String subject) {
        return store.forget(subject, cipher.pseudonym(subject), clock.instant());
    }

    /** The deliveries, newest change first, optionally only those of one status. */
    public List<DeliveryView> list(Optional<DeliveryStatus> status, int limit) {
        return store.list(status, limit);
    }

    /**
     * Tries a failed delivery again, now, with all its attempts.
     *
     * @throws NotFoundException when no failed delivery has that id
     */
    public void retry(String id) {
        if (!store.retry(id, clock.instant())) {
            throw new NotFoundException("no failed delivery '" + id + "'; aios deliveries --failed lists them");
        }
        wake();
    }

    /**
     * Drops a failed delivery: it is never sent again.
     *
     * @throws NotFoundException when no failed delivery has that id
     */
    public void drop(String id) {
        if (!store.drop(id, clock.instant())) {
            throw new NotFoundException("no failed delivery '" + id + "'; aios deliveries --failed lists them");
        }
    }

    /** Where the delivery {@code id} stands, if there is one. */
    public Optional<DeliveryStatus> status(String id) {
        return store.status(id);
    }

    /** Starts the background loop. */
    public synchronized void start() {
        if (loop != null) {
            return;
        }
        running = true;
        loop = Thread.ofVirtual().name("aios-deliveries").start(this::run);
    }

    /** Says the feed has news. */
    public void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void run() {
        while (running) {
            try {
                collect();
                deliverDue();
            } catch (RuntimeException e) {
                LOG.warn("outgoing webhooks stumbled; trying again shortly", e);
            }
            var now = clock.instant();
            var wait = store.nextDue()
                    .map(at -> Duration.between(now, at))
                    .filter(d -> d.compareTo(LOOK_AT_LEAST_EVERY) < 0)
                    .orElse(LOOK_AT_LEAST_EVERY);
            synchronized (signal) {
                try {
                    TimeUnit.MILLISECONDS.timedWait(signal, Math.max(1, wait.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        wake();
        Thread thread;
        synchronized (this) {
            thread = loop;
        }
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
        }
        return http;
    }
}
