package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Event;
import dev.aios.kernel.Accepted;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.internal.Ids;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.cel.CelException;
import dev.aios.kernel.internal.journal.FeedHub;
import dev.aios.kernel.internal.journal.JournalEntry.RunStarted;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.PayloadCodec;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.run.RunFold;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Takes an event into the log. Which playbooks it starts is decided first, outside any transaction
 * ({@link #route}: trigger conditions are the operator's expressions and never run on the writer);
 * then, in the caller's transaction, the event is logged and those runs start ({@link #accept}).
 * Runs awaiting the event are resumed afterwards by {@link Awaits}. An id seen before changes
 * nothing.
 */
final class EventIntake {
    /** The largest event data accepted, serialized. */
    static final int MAX_DATA_BYTES = 1 << 20;

    /**
     * Which playbooks an event starts, decided before it is logged.
     *
     * @param start the playbook versions to start
     * @param notes trigger conditions that could not be evaluated, one line each
     * @param depth how many runs caused the event, one after the other: 0 for an event from outside
     * @param targeted whether the event starts one named playbook alone (an invocation), whatever
     *     its trigger; sent again, it answers with the run it started the first time
     * @param data the event's data, serialized (and sealed when its subject's key was at hand) on
     *     the routing thread so that the writer need not
     */
    record Routing(List<CompiledPlaybook> start, List<String> notes, int depth, boolean targeted, Optional<Data> data) {
        Routing(List<CompiledPlaybook> start, List<String> notes, int depth) {
            this(start, notes, depth, false, Optional.empty());
        }
    }

    /** An event's data as {@link #prepare} made it ready to be logged: {@code of} is the data it was made of. */
    record Data(JsonNode of, PayloadCodec.Prepared prepared) {}

    /** What logging an event did; {@code seq} is its position in the log (0 for a duplicate). */
    record Logged(Accepted accepted, long seq) {}

    /** Hands an event addressed to a stateful agent ({@code to: agent/NAME}) to its instance's mailbox. */
    @FunctionalInterface
    interface Delivery {
        void deliver(Tx tx, Event event, Instant now);
    }

    private volatile Delivery delivery = (tx, event, now) -> {};

    /** Takes a run just started on to its first step, in the transaction that started it. */
    @FunctionalInterface
    interface FirstStep {
        /**
         * Takes a worker's place in {@code tx} for the first step of a run it starts, given back if
         * {@code tx} rolls back; empty when none is free or the kernel stops (the dispatcher then
         * leases the step).
         */
        Optional<Handing> place(Tx tx);
    }

    /** A worker's place taken for a run's first step. */
    interface Handing {
        /** The first step as scheduled and begun at once in the place taken, in one entry. */
        StepScheduled handed(StepScheduled scheduled);

        /**
         * Leases the step that the run of {@code state} scheduled as {@code handed}, just appended
         * in {@code tx}, and hands it to the worker once {@code tx} committed; returns whether
         * nothing else of the run is due (if not, the dispatcher looks).
         */
        boolean handOver(Tx tx, RunState state, StepScheduled handed);
    }

    private volatile FirstStep firstStep = tx -> Optional.empty();

    /** Leases the first steps of the runs an event starts with {@code firstStep}, in the transaction logging it. */
    void startWith(FirstStep firstStep) {
        this.firstStep = firstStep;
    }

    /** Delivers events addressed to stateful agents with {@code delivery}, in the transaction logging them. */
    void deliverWith(Delivery delivery) {
        this.delivery = delivery;
    }

    private final RunJournal journal;
    private final dev.aios.kernel.internal.journal.SubjectKeys codec;
    private final Playbooks playbooks;
    private final Runnable wake;
    private final FeedHub feed;

    EventIntake(
            RunJournal journal,
            dev.aios.kernel.internal.journal.SubjectKeys codec,
            Playbooks playbooks,
            Runnable wake,
            FeedHub feed) {
        this.journal = journal;
        this.codec = codec;
        this.playbooks = playbooks;
        this.wake = wake;
        this.feed = feed;
    }

    /** An event that starts a conversation is its own correlation. */
    static Event correlated(Event given) {
        return given.correlationId().isBlank()
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
    }

    /**
     * Decides which active playbooks {@code event} starts by evaluating their trigger conditions,
     * on the caller's thread. A condition sees the event as runs see it, except its {@code seq},
     * which is only known once it is logged.
     */
    Routing route(Event given, int depth) {
        var event = correlated(given);
        var json = RunVars.json(event, 0, depth);
        json.remove("seq");
        var start = new ArrayList<CompiledPlaybook>();
        var notes = new ArrayList<String>();
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
            start.add(playbook);
        }
        return new Routing(List.copyOf(start), List.copyOf(notes), depth, false, Optional.of(prepare(event)));
    }

    /** Serializes {@code event}'s data and seals it when its subject's key is at hand, on the caller's thread. */
    private Data prepare(Event event) {
        byte[] data = Json.bytes(event.data());
        // Data over the limit is refused as it is logged: not worth sealing.
        return new Data(
                event.data(),
                data.length > MAX_DATA_BYTES
                        ? PayloadCodec.Prepared.later(event.subject(), data)
                        : codec.prepare(event.subject(), data));
    }

    /**
     * Routes {@code given} to the active playbook {@code name} alone, whatever its trigger: an
     * invocation, which resumes no waiting run.
     *
     * @throws dev.aios.kernel.NotFoundException when no active playbook has that name
     */
    Routing only(Event given, String name) {
        return new Routing(List.of(playbooks.active(name)), List.of(), 0, true, Optional.of(prepare(given)));
    }

    /** Logs {@code given} and starts the runs {@code routing} names, in the caller's transaction. */
    Logged accept(Tx tx, Event given, Routing routing, Instant now) {
        var event = correlated(given);
        // The data as routing made it ready, unless the event given here is not the one routed.
        var prepared = routing.data()
                .filter(d -> d.of() == event.data())
                .map(Data::prepared)
                .orElseGet(() -> PayloadCodec.Prepared.later(event.subject(), Json.bytes(event.data())));
        byte[] data = prepared.plain();
        if (data.length > MAX_DATA_BYTES) {
            throw new InvalidInputException("event data is " + data.length + " bytes; the limit is " + MAX_DATA_BYTES
                    + ". Store large documents elsewhere and send a reference.");
        }
        // An event whose id was forgotten is known by the id's pseudonym: sent again, it is a duplicate.
        String forgottenId = codec.pseudonyms().eventId(event.id());
        // Sealed with a key kept in memory, the data is ready before the check without writing
        // anything, and the check rides with the insert. Otherwise the check comes first: sealing
        // may create a key, and a forgotten subject's duplicate must not get one.
        var kept = codec.encodeKept(prepared);
        OptionalLong logged;
        if (kept.isPresent()) {
            logged = tx.events()
                    .appendUnless(
                            forgottenId, event, kept.get().codec(), kept.get().bytes(), now);
        } else if (tx.events().logged(forgottenId)) {
            logged = OptionalLong.empty();
        } else {
            var stored = codec.encode(prepared);
            logged = tx.events().append(event, stored.codec(), stored.bytes(), now);
        }
        if (logged.isEmpty()) {
            var earlier = routing.targeted()
                    ? tx.runs()
                            .startedBy(
                                    tx.events().logged(forgottenId) ? forgottenId : event.id(),
                                    routing.start().getFirst().name())
                    : List.<String>of();
            return new Logged(new Accepted(event.id(), true, earlier, List.of(), List.of()), 0);
        }
        long seq = logged.getAsLong();
        ObjectNode json = RunVars.json(event, seq, routing.depth());
        feed.publish(
                tx,
                List.of(new dev.aios.kernel.spi.FeedItem("event", seq, "", event.type(), event.subject(), now, json)));
        delivery.deliver(tx, event, now);
        var started = new ArrayList<String>();
        boolean leftToDispatcher = false;
        for (var playbook : routing.start()) {
            String runId = Ids.next("r", now);
            var state = RunFold.empty(runId);
            String first = playbook.firstStep();
            var scheduled = new StepScheduled(first, 0, playbook.step(first).kind(), now);
            var handing = firstStep.place(tx);
            if (handing.isPresent()) {
                scheduled = handing.get().handed(scheduled);
            }
            journal.append(
                    tx,
                    state,
                    now,
                    List.of(new RunStarted(playbook.name(), playbook.version(), event.subject(), json), scheduled));
            started.add(runId);
            leftToDispatcher |= handing.isEmpty() || !handing.get().handOver(tx, state, scheduled);
        }
        if (leftToDispatcher) {
            tx.afterCommit(wake);
        }
        return new Logged(new Accepted(event.id(), false, started, List.of(), routing.notes()), seq);
    }

    /** The position of the newest event in the log. */
    static long head(Tx tx) {
        return tx.events().head();
    }
}
