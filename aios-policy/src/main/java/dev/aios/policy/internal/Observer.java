package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.kernel.spi.Feed;
import dev.aios.kernel.spi.FeedItem;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;
import dev.aios.kernel.spi.SubjectCipher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns from what the kernel records: every task that opens and how the operator answered it
 * (approved unchanged, edited with the change, rejected with the reason, the time taken), and every
 * agent output the policy let commit on its own. It reads the kernel's feed from where it stopped,
 * in the same transaction that stores what it derived, so a restart loses nothing and counts
 * nothing twice; on a database several nodes share, a batch is stored only while the position is
 * where it was read, so no two nodes count the same items. Runs on its own thread, woken after each
 * commit.
 */
public final class Observer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Observer.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int BATCH = 500;

    /** An answer the operator gave, once it is stored: for examples, suggestions and revocations. */
    public record Answer(
            String taskId,
            String runId,
            String step,
            String kind,
            String agent,
            String subject,
            String outcome,
            JsonNode input,
            JsonNode proposed,
            JsonNode output,
            String comment) {}

    private final Feed feed;
    private final Storage storage;
    private final SubjectCipher cipher;
    private final List<Consumer<Answer>> answerListeners = new ArrayList<>();
    private final List<ItemListener> itemListeners = new ArrayList<>();
    private final List<Runnable> batchListeners = new ArrayList<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("aios-policy-observer").daemon().factory());
    private final AtomicBoolean pending = new AtomicBoolean();
    /** Set by {@link #close}: the catch-up stops after the batch it is in (a restart reads on from there). */
    private volatile boolean closing;

    public Observer(Feed feed, Storage storage, SubjectCipher cipher) {
        this.feed = feed;
        this.storage = storage;
        this.cipher = cipher;
    }

    /** Hears every answer once it is stored. */
    public void onAnswer(Consumer<Answer> listener) {
        answerListeners.add(listener);
    }

    /** Sees every event and journal entry, in the transaction that moves the reading position. */
    @FunctionalInterface
    public interface ItemListener {
        void item(Handle c, FeedItem item) throws SQLException;
    }

    /** Sees every item read, in the transaction that moves the reading position past it. */
    public void onItem(ItemListener listener) {
        itemListeners.add(listener);
    }

    /** Runs after each batch of items is stored. */
    public void afterBatch(Runnable listener) {
        batchListeners.add(listener);
    }

    /** Catches up soon, on the observer's thread. */
    public void wake() {
        if (closing) {
            return;
        }
        if (pending.compareAndSet(false, true)) {
            try {
                thread.execute(this::catchUpNow);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                if (!closing) {
                    throw e;
                }
            }
        }
    }

    private void catchUpNow() {
        pending.set(false);
        try {
            catchUp();
        } catch (RuntimeException e) {
            if (closing) {
                LOG.debug("learning from the journal stopped with aios; it reads on from there at the next start", e);
            } else {
                LOG.error("learning from the journal failed; it is tried again on the next commit", e);
            }
        }
    }

    /** Reads what the kernel recorded since the last time; returns how many items it read. */
    public synchronized int catchUp() {
        int read = 0;
        while (!closing) {
            long[] at = positions();
            var events = feed.after(at[0], Long.MAX_VALUE, BATCH);
            var entries = feed.after(Long.MAX_VALUE, at[1], BATCH);
            if (events.isEmpty() && entries.isEmpty()) {
                return read;
            }
            var answers = new ArrayList<Answer>();
            boolean moved = storage.write(c -> {
                if (!java.util.Arrays.equals(positions(c), at)) {
                    // On a shared database every node observes: another one took these meanwhile.
                    return false;
                }
                long eventPos = at[0];
                for (var item : events) {
                    eventPos = Math.max(eventPos, item.position());
                    for (var listener : itemListeners) {
                        listener.item(c, item);
                    }
                }
                long journalPos = at[1];
                for (var item : entries) {
                    journalPos = Math.max(journalPos, item.position());
                    learn(c, item).ifPresent(answers::add);
                    for (var listener : itemListeners) {
                        listener.item(c, item);
                    }
                }
                Sql.update(c, "UPDATE policy_feed SET position = ? WHERE source = 'event'", eventPos);
                Sql.update(c, "UPDATE policy_feed SET position = ? WHERE source = 'journal'", journalPos);
                return true;
            });
            if (!moved) {
                continue; // read on from where the other node stopped
            }
            read += events.size() + entries.size();
            for (var listener : batchListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.error("acting on what the kernel recorded failed", e);
                }
            }
            for (var answer : answers) {
                for (var listener : answerListeners) {
                    try {
                        listener.accept(answer);
                    } catch (RuntimeException e) {
                        LOG.error("acting on the answer to task {} failed", answer.taskId(), e);
                    }
                }
            }
        }
        return read;
    }

    private long[] positions() {
        return storage.read(Observer::positions);
    }

    private static long[] positions(Handle c) throws SQLException {
        long[] at = new long[2];
        for (var row : Sql.query(
                c, "SELECT source, position FROM policy_feed", r -> new Object[] {r.getString(1), r.getLong(2)})) {
            at["event".equals(row[0]) ? 0 : 1] = (Long) row[1];
        }
        return at;
    }

    private Optional<Answer> learn(Handle c, FeedItem item) throws SQLException {
        var p = item.payload();
        if (p.size() == 1 && p.path("forgotten").asBoolean(false)) {
            return Optional.empty();
        }
        switch (item.type()) {
            case "TaskOpened" -> {
                var details = p.path("details");
                var step = p.path("step").asText();
                int iteration = p.path("iteration").asInt();
                var decision = Sql.one(
                        c,
                        "SELECT * FROM policy_decisions WHERE run_id = ? AND step_id = ? AND iteration = ?",
                        DecisionStore::row,
                        item.runId(),
                        step,
                        iteration);
                var agent = p.path("agent").isTextual()
                        ? p.path("agent").asText().replaceFirst("@.*$", "")
                        : decision.map(DecisionStore.Decision::agent).orElse("");
                var kept = JSON.objectNode();
                kept.set("input", p.path("input"));
                kept.set("proposed", p.path("proposed"));
                AnswerStore.opened(
                        c,
                        new AnswerStore.Opened(
                                p.path("task").asText(),
                                item.runId(),
                                step,
                                iteration,
                                p.path("kind").asText(),
                                details.path("playbook").asText("").replaceFirst("@.*$", ""),
                                agent,
                                item.subject(),
                                details.path("rule").asText(""),
                                decision.map(DecisionStore.Decision::segments).orElse(List.of()),
                                decision.flatMap(DecisionStore.Decision::confidence),
                                decision.flatMap(DecisionStore.Decision::amount),
                                item.at(),
                                seal(item.subject(), kept)));
                return Optional.empty();
            }
            case "TaskResolved" -> {
                return resolved(c, item);
            }
            case "StepCompleted" -> {
                var step = p.path("step").asText();
                int iteration = p.path("iteration").asInt();
                long tasks = Sql.count(
                        c,
                        "SELECT COUNT(*) FROM policy_answers WHERE run_id = ? AND step_id = ? AND iteration = ?",
                        item.runId(),
                        step,
                        iteration);
                if (tasks == 0) {
                    DecisionStore.committed(c, item.runId(), step, iteration);
                }
                return Optional.empty();
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private Optional<Answer> resolved(Handle c, FeedItem item) throws SQLException {
        var p = item.payload();
        var taskId = p.path("task").asText();
        var sealed = AnswerStore.proposed(c, taskId);
        if (sealed.isEmpty()) {
            return Optional.empty();
        }
        var kept = open(item.subject(), sealed.get());
        var row = Sql.one(
                c,
                "SELECT run_id, step_id, kind, agent FROM policy_answers WHERE task_id = ?",
                r -> new String[] {r.getString(1), r.getString(2), r.getString(3), r.getString(4)},
                taskId);
        var decision = p.path("decision").asText();
        var output = p.path("output");
        var proposed = kept.path("proposed");
        String outcome =
                switch (decision) {
                    case "approved" ->
                        output.isMissingNode() || output.isNull() || output.equals(proposed) ? "unchanged" : "edited";
                    case "rejected" -> "rejected";
                    case "cancelled" -> "cancelled";
                    default -> "other";
                };
        var change = JSON.objectNode();
        if (outcome.equals("edited")) {
            change.set("diff", JsonDiff.of(proposed, output));
        }
        change.put("comment", p.path("comment").asText(""));
        AnswerStore.resolved(c, taskId, item.at(), decision, outcome, seal(item.subject(), change));
        var fields = row.orElseThrow();
        return Optional.of(new Answer(
                taskId,
                fields[0],
                fields[1],
                fields[2],
                fields[3],
                item.subject(),
                outcome,
                kept.path("input"),
                proposed,
                outcome.equals("edited") ? output : proposed,
                p.path("comment").asText("")));
    }

    private byte[] seal(String subject, JsonNode json) {
        return cipher.seal(subject, VersionStore.text(json).getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode open(String subject, byte[] sealed) {
        try {
            return VersionStore.MAPPER.readTree(new String(cipher.open(subject, sealed), StandardCharsets.UTF_8));
        } catch (SubjectCipher.ForgottenException e) {
            return JSON.objectNode();
        } catch (IOException e) {
            throw new IllegalStateException("a stored answer is not readable JSON", e);
        }
    }

    /**
     * Stops after the batch in progress and the checks that follow it, which still have the database
     * (an interrupt would leave them failing one by one against a store that closes next).
     */
    @Override
    public void close() {
        closing = true;
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("the policy's observer did not stop within 10 s; it is interrupted");
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
