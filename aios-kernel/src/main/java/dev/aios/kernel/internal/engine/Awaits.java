package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.cel.CelException;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.AwaitStore;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.Tx;
import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.spi.SubjectCipher;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumes runs awaiting an event. A waiting run's row remembers up to which event of its type it
 * was checked; catching it up reads the events after that, evaluates the step's match condition
 * on them in order (outside any transaction: it is the operator's expression), and then, in one
 * write that first makes sure the row did not move meanwhile, either resumes the run with the
 * first match or records how far it was checked. So a run takes the first matching event after it
 * began waiting, whether that event came before or after, and no condition runs on the writer.
 *
 * <p>Rows are caught up when an event is sent (before its sender is answered), when a run begins
 * waiting or emits, and by a sweep every second, which also picks up what a crash left behind.
 * Whichever of these passes resumes a run with an event, the event's sender is told: it names the
 * event it is about to log ({@link #expect}) before the event is written, and every pass that
 * resumes a run with an expected event notes the run, before its write commits.
 */
final class Awaits implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Awaits.class);
    private static final int CANDIDATES = 20;
    private static final int ROUNDS = 10_000;

    /** A run waiting at an await step, checked up to event {@code checked}. */
    record Waiting(String runId, String step, int iteration, String eventType, long checked) {
        static Waiting of(AwaitStore.Waiting w) {
            return new Waiting(w.key().runId(), w.key().step(), w.key().iteration(), w.eventType(), w.checked());
        }

        WorkKey work() {
            return new WorkKey(runId, step, iteration);
        }

        String key() {
            return runId + "/" + step + "/" + iteration;
        }
    }

    /** What catching up the waiting runs of one event's type did for that event. */
    record CaughtUp(List<String> resumed, List<String> notes) {}

    private enum Applied {
        RESUMED,
        CHECKED,
        MOVED
    }

    private final Store store;
    private final RunJournal journal;
    private final Playbooks playbooks;
    private final InstantSource clock;
    private final Runnable wake;
    private final ReentrantLock[] stripes = new ReentrantLock[64];
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();
    /** The runs resumed by each event whose sender has not been answered yet, whichever pass resumed them. */
    private final java.util.Map<String, Set<String>> resumedBy = new ConcurrentHashMap<>();
    /** Runs on the sender's thread between listing the waiting runs and catching them up; tests use it. */
    volatile Runnable afterListing = () -> {};

    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("aios-await-", 0).factory());
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("aios-await-sweep").daemon().factory());

    Awaits(Store store, RunJournal journal, Playbooks playbooks, InstantSource clock, Runnable wake) {
        this.store = store;
        this.journal = journal;
        this.playbooks = playbooks;
        this.clock = clock;
        this.wake = wake;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Starts the sweep that catches up every run left behind. */
    void start() {
        sweeper.scheduleWithFixedDelay(this::sweep, 0, 1, TimeUnit.SECONDS);
    }

    /**
     * Notes that event {@code eventId} is about to be logged, so that any pass resuming a run with
     * it from now on tells {@link #catchUp(String, String, Optional)}; call {@link #forget} if the
     * event is not logged. Returns false, and notes nothing, if another sender expects it already.
     */
    boolean expect(String eventId) {
        return resumedBy.putIfAbsent(eventId, ConcurrentHashMap.newKeySet()) == null;
    }

    /** Stops noting the runs that event {@code eventId} resumes. */
    void forget(String eventId) {
        resumedBy.remove(eventId);
    }

    /**
     * Catches up, on the caller's thread, every run awaiting events of {@code eventType}; says
     * which runs event {@code eventId} resumed (by this pass or by one in the background that
     * took a run first, if the event was {@linkplain #expect expected}), and why it could not be
     * judged for others. Runs not reached {@code within} the time given are left to the
     * background. The sender {@linkplain #forget forgets} the event once answered.
     */
    CaughtUp catchUp(String eventType, String eventId, Optional<java.time.Duration> within) {
        long stopAt =
                System.nanoTime() + within.orElse(java.time.Duration.ofDays(1)).toNanos();
        var resumed = new java.util.TreeSet<String>();
        var notes = new ArrayList<String>();
        var waiting = waiting(eventType);
        afterListing.run();
        for (var row : waiting) {
            if (System.nanoTime() - stopAt > 0) {
                // Out of time for this answer: the sweep catches the rest up.
                schedule(eventType);
                break;
            }
            var by = catchUp(row, eventId, notes);
            if (by.filter(eventId::equals).isPresent()) {
                resumed.add(row.runId());
            }
        }
        // Runs another pass resumed with this event before this one reached them.
        resumed.addAll(resumedBy.getOrDefault(eventId, Set.of()));
        return new CaughtUp(List.copyOf(resumed), notes);
    }

    /** Catches up the runs awaiting events of {@code eventType}, in the background. */
    void schedule(String eventType) {
        inBackground(() -> waiting(eventType).forEach(this::scheduleRow));
    }

    /** Catches up one waiting run in the background. */
    void schedule(String runId, String step, int iteration) {
        inBackground(() -> store.read(tx -> tx.awaits().find(new WorkKey(runId, step, iteration)))
                .map(Waiting::of)
                .ifPresent(this::scheduleRow));
    }

    /**
     * Runs {@code catchUp} on a worker; once this is closed (the kernel stops while steps still
     * commit) it is left to the sweep of the next start, which reads every waiting run that is behind
     * the events.
     */
    private void inBackground(Runnable catchUp) {
        if (workers.isShutdown()) {
            return;
        }
        try {
            workers.execute(catchUp);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (!workers.isShutdown()) {
                throw e;
            }
        }
    }

    /**
     * Whether a waiting run has events of its type it was not checked against yet: its timeout
     * must wait until they are, or it could time out on an event that came in time.
     */
    static boolean behind(Tx tx, String runId, String step, int iteration) {
        return tx.awaits().behind(new WorkKey(runId, step, iteration));
    }

    private void sweep() {
        try {
            store.read(tx -> tx.awaits().behind(1000)).stream().map(Waiting::of).forEach(this::scheduleRow);
        } catch (RuntimeException e) {
            LOG.warn("looking for waiting runs to catch up failed; trying again in a second", e);
        }
    }

    private void scheduleRow(Waiting waiting) {
        if (!scheduled.add(waiting.key())) {
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    catchUp(waiting, "", new ArrayList<>());
                } catch (RuntimeException e) {
                    LOG.warn(
                            "catching up run {} at step {} failed; the sweep tries again",
                            waiting.runId(),
                            waiting.step(),
                            e);
                } finally {
                    scheduled.remove(waiting.key());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            scheduled.remove(waiting.key());
        }
    }

    private List<Waiting> waiting(String eventType) {
        return store.read(tx -> tx.awaits().waitingFor(eventType)).stream()
                .map(Waiting::of)
                .toList();
    }

    /** What a catch-up round read, as of one moment. */
    private record Snapshot(long checked, RunState state, List<ObjectNode> candidates) {}

    /** Catches up one waiting run; returns the id of the event that resumed it, if one did. */
    private Optional<String> catchUp(Waiting waiting, String noteFor, List<String> notes) {
        var lock = stripes[Math.floorMod(waiting.key().hashCode(), stripes.length)];
        lock.lock();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                var snapshot = store.read(tx -> read(tx, waiting));
                if (snapshot.isEmpty() || snapshot.get().candidates().isEmpty()) {
                    return Optional.empty();
                }
                var seen = snapshot.get();
                var found = awaitStep(seen.state(), waiting.step());
                var await = found.map(java.util.Map.Entry::getValue);
                Optional<ObjectNode> match = Optional.empty();
                for (var candidate : seen.candidates()) {
                    if (await.isEmpty()) {
                        break;
                    }
                    try {
                        if (await.get()
                                .match()
                                .test(RunVars.withEvent(
                                        seen.state(), found.get().getKey(), waiting.step(), candidate))) {
                            match = Optional.of(candidate);
                            break;
                        }
                    } catch (CelException e) {
                        // A candidate the condition cannot judge is not a match.
                        if (candidate.path("id").asText().equals(noteFor)) {
                            notes.add("run " + waiting.runId() + " step '" + waiting.step()
                                    + "' was not resumed: its match failed: " + e.getMessage());
                        }
                    }
                }
                long upTo = seen.candidates().getLast().path("seq").asLong();
                var applied = apply(waiting, seen.checked(), match, upTo);
                if (applied == Applied.RESUMED) {
                    return match.map(m -> m.path("id").asText());
                }
            }
            LOG.warn(
                    "run {} at step {} kept moving while it was caught up; the sweep tries again",
                    waiting.runId(),
                    waiting.step());
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    private Optional<Snapshot> read(Tx tx, Waiting waiting) {
        var checked = tx.awaits().find(waiting.work()).map(AwaitStore.Waiting::checked);
        if (checked.isEmpty()) {
            return Optional.empty();
        }
        var state = journal.load(tx, waiting.runId());
        if (state.isEmpty()) {
            return Optional.empty();
        }
        var candidates = tx.events().ofType(waiting.eventType(), checked.get(), CANDIDATES).stream()
                .map(e -> RunVars.json(e.event(data(e.subject(), e.codec(), e.data())), e.seq()))
                .toList();
        return Optional.of(new Snapshot(checked.get(), state.get(), candidates));
    }

    private JsonNode data(String subject, String codec, byte[] stored) {
        try {
            return Json.tree(journal.codec().decode(subject, codec, stored));
        } catch (SubjectCipher.ForgottenException e) {
            return Forgetting.FORGOTTEN.deepCopy();
        }
    }

    private Optional<java.util.Map.Entry<CompiledPlaybook, CompiledStep.Await>> awaitStep(RunState state, String step) {
        try {
            var playbook = playbooks.version(state.playbook, state.version);
            if (playbook.step(step) instanceof CompiledStep.Await await) {
                return Optional.of(java.util.Map.entry(playbook, await));
            }
        } catch (RuntimeException e) {
            LOG.warn(
                    "run {} waits at step '{}' of {}@{}, which cannot be found: {}",
                    state.id,
                    step,
                    state.playbook,
                    state.version,
                    e.getMessage());
        }
        return Optional.empty();
    }

    /** Resumes the run with {@code match}, or records it checked up to {@code upTo}, unless it moved. */
    private Applied apply(Waiting waiting, long checked, Optional<ObjectNode> match, long upTo) {
        var by = match.map(m -> m.path("id").asText()).map(resumedBy::get);
        // Whether this write noted the run for the event's sender; a unit can be rolled back and run again.
        var noted = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            return resume(waiting, checked, match, upTo, by, noted);
        } catch (RuntimeException e) {
            if (noted.get()) {
                by.ifPresent(runs -> runs.remove(waiting.runId()));
            }
            throw e;
        }
    }

    private Applied resume(
            Waiting waiting,
            long checked,
            Optional<ObjectNode> match,
            long upTo,
            Optional<Set<String>> by,
            java.util.concurrent.atomic.AtomicBoolean noted) {
        return store.write(tx -> {
            if (noted.getAndSet(false)) {
                by.ifPresent(runs -> runs.remove(waiting.runId()));
            }
            var now = tx.awaits().find(waiting.work()).map(AwaitStore.Waiting::checked);
            if (now.isEmpty() || now.get() != checked) {
                return Applied.MOVED;
            }
            if (match.isEmpty()) {
                tx.awaits().checked(waiting.work(), upTo);
                return Applied.CHECKED;
            }
            var state = journal.load(tx, waiting.runId()).orElseThrow();
            var playbook = playbooks.version(state.playbook, state.version);
            var await = (CompiledStep.Await) playbook.step(waiting.step());
            var at = clock.instant();
            var input = state.record(waiting.step()).input;
            journal.append(
                    tx,
                    state,
                    at,
                    List.of(new StepCompleted(
                            waiting.step(), waiting.iteration(), input, match.get(), Optional.empty(), await.next())));
            var writes = new RunWrites(tx, journal, state, at);
            writes.follow(playbook, new Decision.GoOn(waiting.step(), await.next()));
            tx.afterCommit(wake);
            // Before the commit, so that the event's sender cannot miss it once the run stops waiting.
            by.ifPresent(runs -> noted.set(runs.add(waiting.runId())));
            return Applied.RESUMED;
        });
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        workers.shutdownNow();
    }
}
