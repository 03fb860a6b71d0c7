package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Event;
import dev.aios.kernel.Accepted;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.internal.Ids;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.cel.CelException;
import dev.aios.kernel.internal.journal.FeedHub;
import dev.aios.kernel.internal.journal.JournalEntry.RunStarted;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.PayloadCodec;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunFold;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Takes an event into the log, in the caller's transaction: starts the runs of the playbooks it
 * triggers and resumes the runs awaiting it. An id seen before changes nothing.
 */
final class EventIntake {
    /** The largest event data accepted, serialized. */
    static final int MAX_DATA_BYTES = 1 << 20;

    private final RunJournal journal;
    private final PayloadCodec codec;
    private final Playbooks playbooks;
    private final Runnable wake;
    private final FeedHub feed;

    EventIntake(RunJournal journal, PayloadCodec codec, Playbooks playbooks, Runnable wake, FeedHub feed) {
        this.journal = journal;
        this.codec = codec;
        this.playbooks = playbooks;
        this.wake = wake;
        this.feed = feed;
    }

    Accepted accept(Tx tx, Event given, Instant now) {
        // An event that starts a conversation is its own correlation.
        Event event = given.correlationId().isBlank()
                ? new Event(
                        given.id(),
                        given.type(),
                        given.subject(),
                        given.source(),
                        given.time(),
                        given.data(),
                        given.id(),
                        given.causationId())
                : given;
        byte[] data = Json.bytes(event.data());
        if (data.length > MAX_DATA_BYTES) {
            throw new InvalidInputException("event data is " + data.length + " bytes; the limit is " + MAX_DATA_BYTES
                    + ". Store large documents elsewhere and send a reference.");
        }
        var stored = codec.encode(event.subject(), data);
        var logged = tx.events().append(event, stored.codec(), stored.bytes(), now);
        if (logged.isEmpty()) {
            return new Accepted(event.id(), true, List.of(), List.of(), List.of());
        }
        long seq = logged.getAsLong();
        ObjectNode json = RunVars.json(event, seq);
        feed.publish(
                tx,
                List.of(new dev.aios.kernel.spi.FeedItem("event", seq, "", event.type(), event.subject(), now, json)));
        var notes = new ArrayList<String>();
        var started = start(tx, event, json, now, notes);
        var resumed = resume(tx, event, json, now, notes);
        if (!started.isEmpty() || !resumed.isEmpty()) {
            tx.afterCommit(wake);
        }
        return new Accepted(event.id(), false, started, resumed, notes);
    }

    private List<String> start(Tx tx, Event event, ObjectNode json, Instant now, List<String> notes)
            {
        var started = new ArrayList<String>();
        for (var playbook : playbooks.triggeredBy(event.type())) {
            if (playbook.triggerWhen().isPresent()) {
                try {
                    if (!playbook.triggerWhen().get().test(RunVars.ofEvent(json))) {
                        continue;
                    }
                } catch (CelException e) {
                    notes.add("playbook '" + playbook.name() + "' was not started: its trigger condition failed: "
                            + e.getMessage());
                    continue;
                }
            }
            String runId = Ids.next("r", now);
            var state = RunFold.empty(runId);
            String first = playbook.firstStep();
            journal.append(
                    tx,
                    state,
                    now,
                    List.of(
                            new RunStarted(playbook.name(), playbook.version(), event.subject(), json),
                            new StepScheduled(first, 0, playbook.step(first).kind(), now)));
            started.add(runId);
        }
        return started;
    }

    /**
     * The first event an await step can take that arrived before it began waiting: logged after the
     * run's trigger (or after this step last stopped waiting) and matching the step's condition.
     * Without this, an event arriving a moment early would be missed.
     */
    Optional<ObjectNode> earlier(Tx tx, RunState state, CompiledStep.Await await) {
        long after =
                state.awaited.getOrDefault(await.id(), state.trigger.path("seq").asLong());
        for (var stored : tx.events().ofType(await.eventType(), after, 1000)) {
            var data = Json.tree(codec.decode(stored.subject(), stored.codec(), stored.data()));
            var candidate = RunVars.json(stored.event(data), stored.seq());
            try {
                if (await.match().test(RunVars.withEvent(state, candidate))) {
                    return Optional.of(candidate);
                }
            } catch (CelException e) {
                // A candidate the condition cannot judge is not a match.
            }
        }
        return Optional.empty();
    }

    /** The position of the newest event in the log. */
    static long head(Tx tx) {
        return tx.events().head();
    }

    private List<String> resume(Tx tx, Event event, ObjectNode json, Instant now, List<String> notes)
            {
        var resumed = new ArrayList<String>();
        for (var wait : tx.awaits().waitingFor(event.type())) {
            var state = journal.load(tx, wait.runId()).orElseThrow();
            var playbook = playbooks.version(state.playbook, state.version);
            if (!(playbook.step(wait.step()) instanceof CompiledStep.Await await)) {
                continue;
            }
            try {
                if (!await.match().test(RunVars.withEvent(state, json))) {
                    continue;
                }
            } catch (CelException e) {
                notes.add("run " + wait.runId() + " step '" + wait.step() + "' was not resumed: its match failed: "
                        + e.getMessage());
                continue;
            }
            var input = state.record(wait.step()).input;
            var completed =
                    new StepCompleted(wait.step(), wait.iteration(), input, json, Optional.empty(), await.next());
            journal.append(tx, state, now, List.of(completed));
            journal.append(tx, state, now, List.of(Advance.to(state, playbook, await.next(), now)));
            resumed.add(wait.runId());
        }
        return resumed;
    }
}
