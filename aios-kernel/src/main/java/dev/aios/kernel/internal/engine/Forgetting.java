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
import dev.aios.kernel.internal.store.JournalStore;
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
 * Its name and its events' ids are replaced by keyed pseudonyms wherever they were kept (events,
 * journal, runs, keys, the audit entry), none of which the checksums cover: the operator still
 * finds what was forgotten by naming it, and an event sent again with a forgotten id is still a
 * duplicate.
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
        if (dev.aios.kernel.internal.journal.Pseudonyms.isPseudonym(subject)) {
            throw new InvalidInputException("'" + subject + "' is the pseudonym of a subject already forgotten;"
                    + " name the subject itself, or check it with `aios forget --check SUBJECT`");
        }
        String actor = dev.aios.kernel.Actor.current();
        String pseudonym = keys.pseudonym(subject);
        var report = store.write(tx -> {
            boolean before = keys.forgotten(tx, subject).isPresent();
            var runIds = tx.runs().idsOf(subject);
            int cancelled = 0;
            // Loaded while the subject's keys still open the entries a stored state may be behind.
            var states = new java.util.ArrayList<RunState>();
            for (String runId : runIds) {
                var state = journal.load(tx, runId).orElseThrow();
                states.add(state);
                if (!state.status.isFinal()) {
                    journal.append(tx, state, clock.instant(), List.of(new RunCancelled("the subject was forgotten")));
                    cancelled++;
                }
            }
            // The journals about the subject, also of runs whose derived state is gone (rebuilt without them).
            var journaled = new java.util.LinkedHashSet<>(runIds);
            var encodings = new java.util.ArrayList<JournalStore.Encoding>();
            for (long generation = 1; generation <= tx.keys().lastGeneration(subject); generation++) {
                encodings.add(new JournalStore.Encoding(subject, SubjectKeys.codecOf(generation)));
            }
            journaled.addAll(tx.journal().runsEncodedWith(encodings));
            int destroyed = keys.forget(tx, subject);
            var ids = keys.pseudonyms();
            for (var state : states) {
                // Stored whole: read without its journal, no longer readable.
                scrub(tx, state, pseudonym, ids::eventId);
            }
            for (String runId : journaled) {
                tx.journal().pseudonymize(runId, subject, pseudonym);
            }
            long events = tx.events().pseudonymize(subject, pseudonym, ids::eventId);
            boolean already = before && destroyed == 0 && runIds.isEmpty() && events == 0;
            // The audit log keeps the pseudonym, not the name: no name survives forgetting.
            audit.append(
                    tx,
                    actor,
                    "subject.forget",
                    pseudonym,
                    Json.object()
                            .put("keysDestroyed", destroyed)
                            .put("runsCancelled", cancelled)
                            .put("runsScrubbed", runIds.size())
                            .put("events", events)
                            .put("alreadyForgotten", already));
            return new ForgetReport(subject, pseudonym, destroyed, cancelled, runIds.size(), events, already);
        });
        for (var listener : listeners) {
            try {
                listener.forgotten(subject);
            } catch (RuntimeException e) {
                LOG.error(
                        "an extension failed to forget subject {}; it will be asked again on its next start",
                        pseudonym,
                        e);
            }
        }
        // After the extensions, so that what they deleted or renamed leaves no old copy either.
        emptyTheLog();
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

    /**
     * Files the subjects that versions before pseudonyms forgot under their pseudonyms, as forgetting
     * them now would (as the kernel, in the audit log); a subject seen again since keeps its name.
     *
     * @return how many subjects were renamed
     */
    int pseudonymizeOlder() {
        var older = store.read(tx -> tx.keys().destroyed().stream()
                .map(dev.aios.kernel.internal.store.KeyStore.SubjectKey::subject)
                .filter(s -> !dev.aios.kernel.internal.journal.Pseudonyms.isPseudonym(s))
                .distinct()
                .filter(s -> tx.keys().current(s).isEmpty())
                .toList());
        String before = dev.aios.kernel.Actor.current();
        dev.aios.kernel.Actor.begin(dev.aios.kernel.Actor.KERNEL);
        try {
            for (String subject : older) {
                try {
                    forget(subject);
                } catch (RuntimeException e) {
                    LOG.warn("a subject forgotten by an older version keeps its name for now: {}", e.getMessage());
                }
            }
        } finally {
            dev.aios.kernel.Actor.begin(before);
        }
        return older.size();
    }

    /** Whether {@code subject} was forgotten, looked up by its pseudonym. */
    dev.aios.kernel.ForgetCheck check(String subject) {
        if (subject == null || subject.isBlank()) {
            throw new InvalidInputException("name the subject to check, e.g. acme");
        }
        String pseudonym = keys.pseudonym(subject);
        return store.read(tx -> new dev.aios.kernel.ForgetCheck(
                subject,
                pseudonym,
                keys.forgotten(tx, subject),
                tx.runs().idsOf(pseudonym).size(),
                tx.events().countOf(pseudonym),
                tx.keys().current(subject).isPresent()));
    }

    /**
     * Empties the plain copies of a run's payloads from the derived tables, and files the run under
     * the subject's pseudonym, with the ids of the events in its trigger replaced by {@code ids}. The
     * state is written whole: the journal after it may no longer be readable.
     */
    private static void scrub(Tx tx, RunState state, String pseudonym, java.util.function.UnaryOperator<String> ids) {
        String runId = state.id;
        scrub(state);
        state.subject = pseudonym;
        if (state.trigger instanceof ObjectNode trigger) {
            trigger.put("subject", pseudonym);
            for (String field : List.of("id", "correlationId", "causationId")) {
                if (trigger.path(field).isTextual()) {
                    trigger.put(field, ids.apply(trigger.path(field).asText()));
                }
            }
        }
        tx.runs().saveWhole(state);
        tx.loops().removeRun(runId);
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
        for (var scope : state.scopes.values()) {
            scope.steps.removeAll();
            scope.item = scope.item == null ? null : FORGOTTEN.deepCopy();
        }
        for (var block : state.blocks.values()) {
            block.outputs.removeAll();
            block.transcript.removeAll();
            block.undo = block.undo.stream()
                    .map(t -> new dev.aios.kernel.internal.journal.JournalEntry.CompensationTarget(
                            t.step(), t.iteration(), FORGOTTEN.deepCopy()))
                    .toList();
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
