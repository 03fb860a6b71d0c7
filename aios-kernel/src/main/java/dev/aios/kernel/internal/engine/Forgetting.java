package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.ConflictException;
import dev.aios.kernel.ForgetReport;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.access.AuditTrail;
import dev.aios.kernel.internal.journal.JournalEntry.RunCancelled;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.journal.SubjectKeys;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.Tx;
import dev.aios.kernel.spi.ForgetGuard;
import dev.aios.kernel.spi.ForgetListener;
import java.time.InstantSource;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets a subject for real: its runs still going are cancelled, its keys are destroyed (so its
 * events and journal payloads can never be read again, while the journal's checksums still
 * verify), the plain copies in derived tables are emptied, and extensions drop what they derived.
 */
final class Forgetting {
    private static final Logger LOG = LoggerFactory.getLogger(Forgetting.class);

    /** What a forgotten payload reads as. */
    static final ObjectNode FORGOTTEN = Json.object().put("forgotten", true);

    private final Store store;
    private final RunJournal journal;
    private final SubjectKeys keys;
    private final InstantSource clock;
    private final List<ForgetListener> listeners;
    private final List<ForgetGuard> guards;
    private final AuditTrail audit;

    Forgetting(
            Store store,
            RunJournal journal,
            SubjectKeys keys,
            InstantSource clock,
            List<ForgetListener> listeners,
            List<ForgetGuard> guards,
            AuditTrail audit) {
        this.audit = audit;
        this.store = store;
        this.journal = journal;
        this.keys = keys;
        this.clock = clock;
        this.listeners = listeners;
        this.guards = guards;
    }

    ForgetReport forget(String subject) {
        if (subject == null || subject.isBlank()) {
            throw new InvalidInputException("name the subject to forget, e.g. acme");
        }
        for (var guard : guards) {
            var refusal = guard.refuse(subject);
            if (refusal.isPresent()) {
                throw new ConflictException(
                        "subject '" + subject + "' cannot be forgotten: " + refusal.get() + "; nothing changed");
            }
        }
        String actor = dev.aios.kernel.Actor.current();
        var report = store.write(tx -> {
            var runIds = tx.runs().idsOf(subject);
            int cancelled = 0;
            for (String runId : runIds) {
                var state = journal.load(tx, runId).orElseThrow();
                if (!state.status.isFinal()) {
                    journal.append(tx, state, clock.instant(), List.of(new RunCancelled("the subject was forgotten")));
                    cancelled++;
                }
            }
            int destroyed = keys.forget(tx, subject);
            for (String runId : runIds) {
                scrub(tx, runId);
            }
            long events = tx.events().countOf(subject);
            // The audit log keeps that a subject was forgotten, not which: no name survives forgetting.
            audit.append(
                    tx,
                    actor,
                    "subject.forget",
                    "a subject",
                    Json.object()
                            .put("keysDestroyed", destroyed)
                            .put("runsCancelled", cancelled)
                            .put("runsScrubbed", runIds.size())
                            .put("events", events));
            return new ForgetReport(subject, destroyed, cancelled, runIds.size(), events);
        });
        emptyTheLog();
        for (var listener : listeners) {
            try {
                listener.forgotten(subject);
            } catch (RuntimeException e) {
                LOG.error(
                        "an extension failed to forget subject {}; it will be asked again on its next start",
                        subject,
                        e);
            }
        }
        return report;
    }

    /**
     * Waits until the store keeps no old copy of the pages as they were before forgetting (the
     * write-ahead log would still have the plain copies); a few tries, since readers may hold it.
     */
    private void emptyTheLog() {
        for (int attempt = 1; attempt <= 5; attempt++) {
            try {
                if (store.purge().get(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    return;
                }
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.warn("the write-ahead log could not be emptied after forgetting; it is emptied at a later write");
    }

    /** Empties the plain copies of a run's payloads from the derived tables. */
    private static void scrub(Tx tx, String runId) {
        tx.runs().load(runId).ifPresent(state -> {
            scrub(state);
            tx.runs().save(state);
        });
        tx.tasks().scrubRun(runId, FORGOTTEN);
        tx.receipts().scrubRun(runId, FORGOTTEN);
        tx.snapshots().removeRun(runId);
    }

    /** Keeps a run's shape (steps, statuses, times) and drops its content. */
    static void scrub(RunState state) {
        state.trigger = scrubEvent(state.trigger);
        state.steps.removeAll();
        state.error = state.error == null ? null : "forgotten";
        for (var record : state.records.values()) {
            record.input = FORGOTTEN.deepCopy();
            record.output = record.output.isNull() ? record.output : FORGOTTEN.deepCopy();
            record.error = record.error == null ? null : "forgotten";
            record.provenance = new java.util.ArrayList<>();
            record.attempts.forEach(a -> a.error = a.error == null ? null : "forgotten");
        }
        if (state.compensation != null) {
            state.compensation.reason = "forgotten";
            state.compensation.targets = state.compensation.targets.stream()
                    .map(t -> new dev.aios.kernel.internal.journal.JournalEntry.CompensationTarget(
                            t.step(), t.iteration(), FORGOTTEN.deepCopy()))
                    .toList();
        }
    }

    private static JsonNode scrubEvent(JsonNode event) {
        if (!(event instanceof ObjectNode object)) {
            return event;
        }
        var copy = object.deepCopy();
        copy.set("data", FORGOTTEN.deepCopy());
        return copy;
    }
}
