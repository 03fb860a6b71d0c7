package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.PermanentFailure;
import dev.aios.api.RetryPolicy;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.agent.AgentBinding;
import dev.aios.kernel.internal.journal.PayloadCodec;
import dev.aios.kernel.internal.store.InstanceStore;
import dev.aios.kernel.internal.store.InstanceStore.Due;
import dev.aios.kernel.internal.store.InstanceStore.Message;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.Tx;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The instances of stateful agents: one per (agent, subject), handling the messages of its mailbox
 * one at a time, in the order they arrived. An instance is leased like a work item while one of its
 * messages is handled, so no two are handled at once, and nothing of a handling is kept until its
 * outcome is written: the new state, the message marked handled and the messages it sends later, in
 * one write that first checks the lease is still held. A crash in between makes the message due
 * again when the lease runs out (at once after a restart), so its state changes once.
 *
 * <p>A failed handling is tried again with the default retry policy's backoff, the mailbox waiting
 * for it so that order holds; after the last attempt the message is marked failed, shown with the
 * instance, and the mailbox goes on; the operator is asked about it ({@link MailboxDeadLetters}).
 * A handling that calls {@code ctx.end()} ends the instance: its state and history are kept, and
 * the messages still queued, or sent afterwards, are dropped.
 */
final class Mailboxes {
    private static final Logger LOG = LoggerFactory.getLogger(Mailboxes.class);
    /** Handled messages kept per instance as its recent history. */
    static final int KEEP = 200;
    /** Grace beyond an agent's timeout before its lease counts as lost. */
    private static final Duration LEASE_GRACE = Duration.ofSeconds(30);

    /** A message to hand to the mailbox of an instance. */
    record Address(String agent, String subject) {
        /** The agent named by an event's {@code to} ({@code agent/NAME}), if it names one. */
        static Optional<String> agentOf(JsonNode data) {
            var to = data.path("to");
            if (!to.isTextual() || !to.asText().startsWith("agent/")) {
                return Optional.empty();
            }
            return Optional.of(to.asText().substring("agent/".length()));
        }
    }

    /** A leased instance. */
    record Claim(String agent, String subject, String owner) {}

    private final Store db;
    private final Sealing sealing;
    private final InstantSource clock;
    private final Function<String, Optional<AgentBinding>> stateful;
    private final Services services;
    private final InstanceContext.Tools tools;
    private final ExecutorService calls;
    private final String node;
    private final AtomicLong counter = new AtomicLong();
    private final RetryPolicy retry = RetryPolicy.DEFAULT;
    private volatile Runnable wake = () -> {};
    private volatile GivenUp givenUp = (tx, message, error, attempts, now) -> {};

    /** Told, in the transaction that records it, of a message given up on after its last attempt. */
    interface GivenUp {
        void accept(Tx tx, Message message, String error, int attempts, Instant now);
    }

    Mailboxes(
            Store db,
            PayloadCodec codec,
            InstantSource clock,
            Function<String, Optional<AgentBinding>> stateful,
            InstanceContext.Tools tools,
            Services services,
            ExecutorService calls,
            String node) {
        this.tools = tools;
        this.db = db;
        this.sealing = new Sealing(codec);
        this.clock = clock;
        this.stateful = stateful;
        this.services = services;
        this.calls = calls;
        this.node = node;
    }

    /** Tells {@code givenUp} of every message given up on, so that the operator can decide about it. */
    void whenGivenUp(GivenUp givenUp) {
        this.givenUp = givenUp;
    }

    /** Seals and opens instances' payloads. */
    Sealing sealing() {
        return sealing;
    }

    /** Called when a message may be due now. */
    void wakeWith(Runnable wake) {
        this.wake = wake;
    }

    private static InstanceStore store(Tx tx) {
        return tx.instances();
    }

    private InstanceStore.Sealed seal(String subject, JsonNode json) {
        return sealing.seal(subject, json);
    }

    private JsonNode open(String subject, InstanceStore.Sealed stored) {
        return sealing.open(subject, stored);
    }

    /**
     * Queues a message for the instance of {@code agent} for {@code subject} in the caller's
     * transaction; false if its id was delivered before.
     */
    boolean deliver(
            Tx tx,
            String id,
            String agent,
            String subject,
            String sender,
            String type,
            JsonNode body,
            Instant dueAt,
            Instant now) {
        var message = new InstanceStore.Outgoing(id, agent, subject, sender, type, seal(subject, body), now, dueAt);
        boolean delivered = store(tx).deliver(message, seal(subject, Json.object()), now);
        if (delivered) {
            tx.afterCommit(wake);
        }
        return delivered;
    }

    /** Frees the leases of an earlier process. */
    int releaseAll() {
        return db.write(tx -> store(tx).releaseAll());
    }

    /** Leases up to {@code max} instances with a message due, each in a place taken from {@code places}. */
    Dispatcher.Batch<Claim> lease(int max, Dispatcher.Places places) {
        Instant seen = clock.instant();
        // Most polls find nothing due: they read, and leave the writer to those that write. When
        // nothing is due, the same read says when something will be.
        var nothingDue = db.read(tx -> store(tx).due(seen, max).isEmpty()
                ? Optional.of(new Dispatcher.Batch<Claim>(List.of(), store(tx).nextDue()))
                : Optional.<Dispatcher.Batch<Claim>>empty());
        if (nothingDue.isPresent()) {
            return nothingDue.get();
        }
        return db.write(tx -> {
            var store = store(tx);
            Instant now = clock.instant();
            int taken = places.take(max, tx);
            if (taken == 0) {
                return new Dispatcher.Batch<Claim>(List.of(), store.nextDue());
            }
            var claims = new java.util.ArrayList<Claim>();
            for (Due due : store.due(now, taken)) {
                String owner = node + "/m" + counter.incrementAndGet();
                Duration hold = stateful.apply(due.agent())
                        .map(b -> b.terms().timeout())
                        .orElse(Duration.ofMinutes(1))
                        .plus(LEASE_GRACE);
                if (store.lease(due, owner, now.plus(hold), now)) {
                    claims.add(new Claim(due.agent(), due.subject(), owner));
                }
            }
            return new Dispatcher.Batch<>(claims, store.nextDue());
        });
    }

    /** Handles the first due message of a leased instance. */
    void handle(Claim claim) {
        Instant now = clock.instant();
        var head = db.read(tx -> {
            var store = store(tx);
            var message = store.head(claim.agent(), claim.subject(), now);
            boolean handledBefore = store.instance(claim.agent(), claim.subject())
                    .map(i -> i.handled() > 0)
                    .orElse(false);
            var state = message.isPresent()
                    ? store.state(claim.agent(), claim.subject())
                            .map(stored -> open(claim.subject(), stored))
                            .orElse(Json.object())
                    : Json.object();
            return new Head(message, state, handledBefore);
        });
        if (head.message().isEmpty()) {
            db.write(tx -> {
                if (store(tx).holds(claim.agent(), claim.subject(), claim.owner())) {
                    // Nothing due after all (a timer not yet due): it is leased again when one is.
                    store(tx).release(claim.agent(), claim.subject());
                }
                return null;
            });
            return;
        }
        var message = head.message().get();
        try (var ignored = MDC.putCloseable("agent", claim.agent());
                var ignoredSubject = MDC.putCloseable("subject", claim.subject())) {
            var outcome = call(claim, message, head.state(), head.handledBefore());
            record(claim, message, outcome);
        }
    }

    /** The first due message of an instance, with what the agent is given besides it. */
    private record Head(Optional<Message> message, JsonNode state, boolean handledBefore) {}

    /** What handling a message came to. */
    private sealed interface Handled {
        record Done(JsonNode state, List<InstanceContext.Later> laters, boolean end) implements Handled {}

        record Failed(String error, boolean retryable) implements Handled {}
    }

    private Handled call(Claim claim, Message message, JsonNode state, boolean handledBefore) {
        var found = stateful.apply(claim.agent());
        if (found.isEmpty()) {
            return new Handled.Failed(
                    "no stateful agent '" + claim.agent() + "' is registered or declared by an active playbook;"
                            + " register it again, or forget the subject to drop its instance",
                    true);
        }
        var binding = found.get();
        ObjectNode input = Json.object();
        input.set("message", open(message.subject(), message.body()));
        if (handledBefore) {
            input.set("state", state);
        }
        var context = new InstanceContext(
                claim.agent(),
                claim.subject(),
                message.id(),
                message.attempts() + 1,
                clock,
                binding.terms().effects(),
                receipts(claim),
                services,
                tools);
        Duration timeout = binding.terms().timeout();
        var logContext = MDC.getCopyOfContextMap();
        JsonNode validated;
        try {
            validated = binding.validateInput(input);
        } catch (RuntimeException e) {
            // The same message is refused every time: trying again cannot help.
            return new Handled.Failed("the message does not fit the agent's contract: " + e.getMessage(), false);
        }
        var future = calls.submit(() -> {
            if (logContext != null) {
                MDC.setContextMap(logContext);
            }
            return binding.callValidated(validated, context);
        });
        try {
            var output = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!output.isObject()) {
                return new Handled.Failed("its output, the new state, must be a JSON object", false);
            }
            return new Handled.Done(output, context.laters(), context.ended());
        } catch (TimeoutException e) {
            future.cancel(true);
            return new Handled.Failed("agent '" + claim.agent() + "' did not finish within " + timeout, true);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return new Handled.Failed("interrupted while agent '" + claim.agent() + "' ran", true);
        } catch (ExecutionException e) {
            var cause = e.getCause();
            String why =
                    cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            return new Handled.Failed(why, !(cause instanceof PermanentFailure));
        }
    }

    private InstanceContext.Receipts receipts(Claim claim) {
        return new InstanceContext.Receipts() {
            @Override
            public Optional<JsonNode> find(String key) {
                return db.read(tx -> store(tx).receipt(key));
            }

            @Override
            public void record(
                    String key, JsonNode result, java.util.function.Consumer<dev.aios.kernel.spi.Handle> alongside) {
                db.write(tx -> {
                    if (alongside != null) {
                        alongside.accept(tx.handle());
                    }
                    store(tx).receipt(key, claim.agent(), claim.subject(), result, clock.instant());
                    return null;
                });
            }
        };
    }

    private void record(Claim claim, Message message, Handled outcome) {
        db.write(tx -> {
            var store = store(tx);
            if (!store.holds(claim.agent(), claim.subject(), claim.owner())) {
                LOG.info("dropping the handling of message {}: the instance's lease is no longer held", message.id());
                return null;
            }
            Instant now = clock.instant();
            switch (outcome) {
                case Handled.Done done -> {
                    store.handled(message, seal(claim.subject(), done.state()), now, KEEP, done.end());
                    int n = 0;
                    // An instance that ends sends nothing later: it would not be handled.
                    for (var later : done.end() ? List.<InstanceContext.Later>of() : done.laters()) {
                        // Ids derived from the message's: a handling that runs again sends the same ones.
                        deliver(
                                tx,
                                message.id() + "/later/" + n++,
                                claim.agent(),
                                claim.subject(),
                                "later",
                                "later",
                                later.message(),
                                now.plus(later.delay()),
                                now);
                    }
                }
                case Handled.Failed failed -> {
                    int attempt = message.attempts() + 1;
                    boolean again = failed.retryable() && attempt < retry.maxAttempts();
                    if (!again) {
                        LOG.warn(
                                "message {} to agent {} for {} failed after {} attempt(s): {}",
                                message.id(),
                                claim.agent(),
                                claim.subject(),
                                attempt,
                                failed.error());
                    }
                    store.failed(
                            message,
                            failed.error(),
                            again ? Optional.of(now.plus(backoff(attempt))) : Optional.empty(),
                            now);
                    if (!again) {
                        givenUp.accept(tx, message, failed.error(), attempt, now);
                    }
                }
            }
            tx.afterCommit(wake);
            return null;
        });
    }

    private Duration backoff(int attempt) {
        return retry.backoff(attempt);
    }

    /** Destroys the instances of {@code subject}, their state and their messages. */
    int forget(String subject) {
        return db.write(tx -> store(tx).forget(subject));
    }
}
