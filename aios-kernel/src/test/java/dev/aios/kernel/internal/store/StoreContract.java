package dev.aios.kernel.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.api.Event;
import dev.aios.kernel.NodeInfo;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.Scope;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskOption;
import dev.aios.kernel.TaskStatus;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.FeedHub;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.RunCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.RunStarted;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.StepStarted;
import dev.aios.kernel.internal.journal.JournalEntry.TimerSet;
import dev.aios.kernel.internal.journal.MasterKey;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.journal.SubjectKeys;
import dev.aios.kernel.internal.run.RunFold;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.AuditStore.StoredAudit;
import dev.aios.kernel.internal.store.PlaybookStore.StoredPlaybook;
import dev.aios.kernel.internal.store.TaskStore.TaskRecord;
import dev.aios.kernel.internal.store.WorkStore.WorkItem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every store must do, operation by operation, in the kernel's own terms: run once per store
 * (SQLite, PostgreSQL) by a subclass that says how to open a fresh one. The engine's behaviour on
 * each store is checked by {@link KernelOnStoreContract}.
 */
public abstract class StoreContract {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    protected Path dir;

    protected Store store;

    /** A fresh, empty store. */
    protected abstract Store open();

    @BeforeEach
    void openStore() {
        store = open();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private <T> T write(Store.Unit<T> unit) {
        return store.write(unit);
    }

    private <T> T read(Store.Unit<T> unit) {
        return store.read(unit);
    }

    static StoredEntry entry(String run, long seq) {
        return new StoredEntry(
                run,
                seq,
                "StepNoted",
                T0.plusSeconds(seq),
                "acme",
                "json",
                ("{\"n\":" + seq + "}").getBytes(StandardCharsets.UTF_8),
                "c-" + run + "-" + seq);
    }

    static Event event(String id, String type, String subject) {
        return new Event(id, type, subject, "test", T0, Json.object().put("id", id), "corr", "cause");
    }

    static RunState run(String id, String playbook, String subject, String trigger, RunStatus status) {
        var state = RunFold.empty(id);
        RunFold.apply(
                state,
                new RunStarted(
                        playbook, "1", subject, Json.object().put("id", trigger).put("type", "lead.received")),
                T0);
        state.status = status;
        state.seq = 1;
        state.checksum = "c-" + id;
        // No journal holds its entry: a store must not leave it to a fold, so it writes it whole.
        state.storedSeq = -1;
        return state;
    }

    @Test
    void journalEntriesKeepTheirRunOrderAndOneGlobalOrderForTheFeed() {
        var positions = write(tx -> List.of(
                tx.journal().append(entry("r1", 1)),
                tx.journal().append(entry("r2", 1)),
                tx.journal().append(entry("r1", 2))));
        assertThat(positions).isSorted().doesNotHaveDuplicates();

        var r1 = read(tx -> tx.journal().entries("r1", 0));
        assertThat(r1).extracting(StoredEntry::seq).containsExactly(1L, 2L);
        assertThat(new String(r1.get(1).payload(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":2}");
        assertThat(r1.get(1).at()).isEqualTo(T0.plusSeconds(2));
        assertThat(read((Tx tx) -> tx.journal().entries("r1", 1)))
                .extracting(StoredEntry::seq)
                .containsExactly(2L);
        assertThat(read((Tx tx) -> tx.journal().entries("r1", 0, 1))).hasSize(1);

        var feed = read(tx -> tx.journal().after(0, 10));
        assertThat(feed).extracting(p -> p.entry().runId()).containsExactly("r1", "r2", "r1");
        assertThat(feed).extracting(JournalStore.Positioned::position).containsExactlyElementsOf(positions);
        assertThat(read((Tx tx) -> tx.journal().after(positions.get(0), 10))).hasSize(2);

        assertThat(read((Tx tx) -> tx.journal().checksum("r1", 2))).contains("c-r1-2");
        assertThat(read((Tx tx) -> tx.journal().checksum("r1", 3))).isEmpty();
        assertThat(read((Tx tx) -> tx.journal().runIds())).containsExactly("r1", "r2");
        assertThat(read((Tx tx) -> tx.journal().runsEncodedWith(List.of(new JournalStore.Encoding("acme", "json")))))
                .containsExactly("r1", "r2");
        assertThat(read((Tx tx) ->
                        tx.journal().runsEncodedWith(List.of(new JournalStore.Encoding("acme", "aes-gcm:1")))))
                .isEmpty();
    }

    @Test
    void runsEncodedWithAnyOfManyEncodingsAreFoundInOneCallAndOnlyThoseOfTheirPair() {
        // Subject s<i> sealed with generation i in run r<i>, and every subject also in run "plain" unsealed.
        write(tx -> {
            for (int i = 0; i < 450; i++) {
                tx.journal().append(encoded("r" + i, 1, "s" + i, "aes-gcm:" + i));
                tx.journal().append(encoded("plain", i + 1, "s" + i, "json"));
            }
            return null;
        });
        var wanted = new java.util.ArrayList<JournalStore.Encoding>();
        for (int i = 0; i < 450; i += 2) {
            wanted.add(new JournalStore.Encoding("s" + i, "aes-gcm:" + i));
        }
        // A subject paired with another subject's codec matches nothing.
        wanted.add(new JournalStore.Encoding("s1", "aes-gcm:3"));
        var runs = read((Tx tx) -> tx.journal().runsEncodedWith(wanted));
        assertThat(runs).hasSize(225).isSorted().doesNotContain("plain", "r1", "r3");
        assertThat(runs).contains("r0", "r2", "r448");
        assertThat(read((Tx tx) -> tx.journal().runsEncodedWith(List.of(new JournalStore.Encoding("s7", "json")))))
                .containsExactly("plain");
    }

    private static StoredEntry encoded(String run, long seq, String subject, String codec) {
        var plain = entry(run, seq);
        return new StoredEntry(run, seq, plain.type(), plain.at(), subject, codec, plain.payload(), plain.checksum());
    }

    @Test
    void aUnitThatFailsRecordsNothingAndTheNextOneIsRecorded() {
        assertThatThrownBy(() -> write(tx -> {
                    tx.journal().append(entry("r1", 1));
                    throw new IllegalStateException("refused");
                }))
                .hasMessage("refused");
        assertThat(read((Tx tx) -> tx.journal().entries("r1", 0))).isEmpty();

        write(tx -> tx.journal().append(entry("r1", 1)));
        assertThat(read((Tx tx) -> tx.journal().entries("r1", 0))).hasSize(1);
    }

    @Test
    void aWriteInsideAWriteThatFailsIsUndoneAloneAndTheOuterOneKeepsItsOwn() {
        write(tx -> {
            tx.journal().append(entry("r1", 1));
            // One that writes nothing, then one that fails after writing.
            store.write(inner -> inner.journal().entries("r1", 0));
            assertThatThrownBy(() -> store.write(inner -> {
                        inner.journal().append(entry("r2", 1));
                        throw new IllegalStateException("refused");
                    }))
                    .hasMessage("refused");
            tx.journal().append(entry("r1", 2));
            return null;
        });
        assertThat(read((Tx tx) -> tx.journal().entries("r1", 0))).hasSize(2);
        assertThat(read((Tx tx) -> tx.journal().entries("r2", 0))).isEmpty();
    }

    @Test
    void aUnitThatFailsBeforeWritingAnythingAfterAUnitWhoseWritesFailKeepsItsOwnFailure() throws Exception {
        var step = new WorkKey("r1", "s1", 0);
        store.write(tx -> {
            tx.work().add(new WorkItem(step, WorkKind.STEP, T0, 0));
            tx.journal().add(entry("r1", 1));
            return null;
        });
        // The first unit holds the writer until the others are queued, so that they share a commit.
        var queued = new java.util.concurrent.CountDownLatch(1);
        var first = store.submit(tx -> {
            queued.await(10, java.util.concurrent.TimeUnit.SECONDS);
            return null;
        });
        var addedTwice = store.submit(tx -> {
            tx.work().add(new WorkItem(step, WorkKind.STEP, T0, 0));
            return null;
        });
        var refused = store.submit(tx -> {
            throw new IllegalStateException("refused");
        });
        var last = store.submit(tx -> {
            tx.journal().add(entry("r1", 2));
            return tx.journal().entries("r1", 0).size();
        });
        queued.countDown();
        first.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThatThrownBy(() -> addedTwice.get(30, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(dev.aios.kernel.StorageException.class);
        assertThatThrownBy(() -> refused.get(30, java.util.concurrent.TimeUnit.SECONDS))
                .hasRootCauseMessage("refused");
        assertThat(last.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void unitsCommittedTogetherKeepTheirWritesToThemselves() throws Exception {
        // The first unit holds the writer until the others are queued, so that they share a commit.
        var queued = new java.util.concurrent.CountDownLatch(1);
        var first = store.submit(tx -> {
            queued.await(10, java.util.concurrent.TimeUnit.SECONDS);
            return null;
        });
        var step = new WorkKey("r1", "s1", 0);
        var added = store.submit(tx -> {
            tx.work().add(new WorkItem(step, WorkKind.STEP, T0, 0));
            tx.journal().add(entry("r1", 1));
            return null;
        });
        var addedTwice = store.submit(tx -> {
            tx.work().add(new WorkItem(step, WorkKind.STEP, T0, 0));
            tx.journal().add(entry("r9", 1));
            return null;
        });
        var refused = store.submit(tx -> {
            tx.work().add(new WorkItem(new WorkKey("r2", "s1", 0), WorkKind.STEP, T0, 0));
            tx.journal().add(entry("r2", 1));
            throw new IllegalStateException("refused");
        });
        var last = store.submit(tx -> {
            tx.journal().add(entry("r1", 2));
            return tx.journal().entries("r1", 0).size();
        });
        queued.countDown();
        first.get(30, java.util.concurrent.TimeUnit.SECONDS);
        added.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThatThrownBy(() -> addedTwice.get(30, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(dev.aios.kernel.StorageException.class);
        assertThatThrownBy(() -> refused.get(30, java.util.concurrent.TimeUnit.SECONDS))
                .hasRootCauseMessage("refused");
        assertThat(last.get(30, java.util.concurrent.TimeUnit.SECONDS))
                .as("a unit reads what the units before it wrote")
                .isEqualTo(2);
        assertThat(read((Tx tx) -> tx.journal().runIds())).containsExactly("r1");
        assertThat(read((Tx tx) -> tx.work().due(T0.plusSeconds(1), 10)))
                .extracting(WorkItem::key)
                .containsExactly(step);
    }

    @Test
    void aUnitWhoseWritesFailAfterItEndedIsUndoneAloneAndTheNextOneIsRecorded() throws Exception {
        var step = new WorkKey("r1", "s1", 0);
        write(tx -> {
            tx.work().add(new WorkItem(step, WorkKind.STEP, T0, 0));
            return null;
        });
        // The next unit either lets the failure it may meet pass or goes on past it; both times it
        // sees nothing of the unit before, whose writes fail (the same work item twice).
        for (boolean passesFailuresOn : List.of(true, false)) {
            var run = passesFailuresOn ? "r5" : "r7";
            var next = passesFailuresOn ? "r6" : "r8";
            var queued = new java.util.concurrent.CountDownLatch(1);
            var first = holdTheWriter(queued);
            var failing = store.submit(tx -> {
                tx.journal().add(entry(run, 1));
                tx.work().add(new WorkItem(step, WorkKind.STEP, T0, 0));
                return null;
            });
            var after = store.submit(tx -> {
                int seen;
                try {
                    seen = tx.journal().entries(run, 0).size();
                } catch (dev.aios.kernel.StorageException e) {
                    if (passesFailuresOn) {
                        throw e;
                    }
                    seen = -1;
                }
                tx.journal().add(entry(next, 1));
                return seen;
            });
            queued.countDown();
            first.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThatThrownBy(() -> failing.get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(dev.aios.kernel.StorageException.class);
            assertThat(after.get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the next unit ran as if the failed one had never been")
                    .isZero();
        }
        // The last unit of a commit whose writes fail is undone alone too; the one before it is kept.
        var queued = new java.util.concurrent.CountDownLatch(1);
        var held = holdTheWriter(queued);
        var kept = store.submit(tx -> tx.journal().append(entry("r9", 1)));
        var failingLast = store.submit(tx -> {
            tx.journal().add(entry("r10", 1));
            tx.work().add(new WorkItem(step, WorkKind.STEP, T0, 0));
            return null;
        });
        queued.countDown();
        held.get(30, java.util.concurrent.TimeUnit.SECONDS);
        kept.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThatThrownBy(() -> failingLast.get(30, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(dev.aios.kernel.StorageException.class);
        assertThat(read((Tx tx) -> tx.journal().runIds())).containsExactlyInAnyOrder("r6", "r8", "r9");
        assertThat(read((Tx tx) -> tx.work().due(T0.plusSeconds(1), 10)))
                .extracting(WorkItem::key)
                .containsExactly(step);
    }

    /** A unit that holds the writer, once it runs, until {@code queued}: what is submitted meanwhile is committed together. */
    private java.util.concurrent.Future<Void> holdTheWriter(java.util.concurrent.CountDownLatch queued)
            throws InterruptedException {
        var running = new java.util.concurrent.CountDownLatch(1);
        var held = store.<Void>submit(tx -> {
            running.countDown();
            queued.await(10, java.util.concurrent.TimeUnit.SECONDS);
            return null;
        });
        running.await(10, java.util.concurrent.TimeUnit.SECONDS);
        return held;
    }

    @Test
    void unitsOfManyEntriesCommittedTogetherKeepTheirOrderAndOneWhoseEntryIsRefusedRecordsNone() throws Exception {
        write(tx -> {
            tx.journal().add(entry("r2", 3));
            return null;
        });
        var queued = new java.util.concurrent.CountDownLatch(1);
        var held = holdTheWriter(queued);
        var step = new WorkKey("r1", "s1", 0);
        var first = store.submit(tx -> {
            tx.journal().add(entry("r1", 1));
            tx.journal().add(entry("r1", 2));
            tx.work().add(new WorkItem(step, WorkKind.STEP, T0, 0));
            tx.journal().add(entry("r1", 3));
            return null;
        });
        // Its third entry is at a place taken already: none of its entries is recorded.
        var refused = store.submit(tx -> {
            tx.journal().add(entry("r2", 1));
            tx.journal().add(entry("r2", 2));
            tx.journal().add(entry("r2", 3));
            tx.journal().add(entry("r2", 4));
            return null;
        });
        var last = store.submit(tx -> {
            tx.journal().add(entry("r3", 1));
            tx.journal().add(entry("r3", 2));
            return null;
        });
        queued.countDown();
        held.get(30, java.util.concurrent.TimeUnit.SECONDS);
        first.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThatThrownBy(() -> refused.get(30, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(dev.aios.kernel.StorageException.class);
        last.get(30, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(read((Tx tx) -> tx.journal().entries("r1", 0)))
                .extracting(StoredEntry::seq, StoredEntry::checksum)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, "c-r1-1"),
                        org.assertj.core.groups.Tuple.tuple(2L, "c-r1-2"),
                        org.assertj.core.groups.Tuple.tuple(3L, "c-r1-3"));
        assertThat(read((Tx tx) -> tx.journal().entries("r2", 0)))
                .extracting(StoredEntry::seq)
                .containsExactly(3L);
        assertThat(read((Tx tx) -> tx.journal().after(0, 20)))
                .as("the feed holds the entries in the order they were added")
                .extracting(p -> p.entry().runId() + "/" + p.entry().seq())
                .containsExactly("r2/3", "r1/1", "r1/2", "r1/3", "r3/1", "r3/2");
        assertThat(read((Tx tx) -> tx.work().due(T0.plusSeconds(1), 10)))
                .extracting(WorkItem::key)
                .containsExactly(step);
    }

    @Test
    void unitsCommittedTogetherSeeEachOthersRunsAndAFailingOneAmongThemLeavesNothingOfItsOwn() throws Exception {
        var queued = new java.util.concurrent.CountDownLatch(1);
        var held = holdTheWriter(queued);
        var started = store.submit(tx -> {
            tx.runs().save(run("r1", "onboarding", "acme", "ev-1", RunStatus.RUNNING));
            tx.journal().add(entry("r1", 1));
            return null;
        });
        var moved = store.submit(tx -> {
            var state = tx.runs().load("r1").orElseThrow().state();
            state.status = RunStatus.WAITING;
            state.seq = 2;
            tx.runs().save(state);
            tx.journal().add(entry("r1", 2));
            return state.status;
        });
        var failing = store.submit(tx -> {
            tx.runs().save(run("r2", "onboarding", "globex", "ev-2", RunStatus.RUNNING));
            tx.journal().add(entry("r2", 1));
            // A query writes what the units so far saved, this one's run included.
            assertThat(tx.runs().find(RunQuery.all(), 10)).hasSize(2);
            throw new IllegalStateException("the unit fails after saving");
        });
        var after = store.submit(tx -> {
            var seen = tx.runs().load("r1").orElseThrow().state().status;
            tx.runs().save(run("r3", "billing", "acme", "ev-3", RunStatus.RUNNING));
            tx.journal().add(entry("r3", 1));
            return seen;
        });
        queued.countDown();
        held.get(30, java.util.concurrent.TimeUnit.SECONDS);
        started.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(moved.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(RunStatus.WAITING);
        assertThatThrownBy(() -> failing.get(30, java.util.concurrent.TimeUnit.SECONDS))
                .hasMessageContaining("the unit fails after saving");
        assertThat(after.get(30, java.util.concurrent.TimeUnit.SECONDS))
                .as("a unit sees the run as the units before it in the same commit left it")
                .isEqualTo(RunStatus.WAITING);

        assertThat(read((Tx tx) -> tx.runs().ids())).containsExactlyInAnyOrder("r1", "r3");
        assertThat(write((Tx tx) -> tx.runs().load("r2").isPresent()))
                .as("the writer keeps nothing of the failed unit's run in memory either")
                .isFalse();
        var r1 = read(tx -> tx.runs().load("r1")).orElseThrow().state();
        assertThat(r1.status).isEqualTo(RunStatus.WAITING);
        assertThat(r1.seq).isEqualTo(2);
        assertThat(read((Tx tx) -> tx.journal().after(0, 20)))
                .as("each entry recorded once, in the order added; none of the failed unit's")
                .extracting(p -> p.entry().runId() + "/" + p.entry().seq())
                .containsExactly("r1/1", "r1/2", "r3/1");
        // The writer goes on as before.
        write(tx -> {
            tx.journal().add(entry("r3", 2));
            return null;
        });
        assertThat(read((Tx tx) -> tx.journal().entries("r3", 0)))
                .extracting(StoredEntry::seq)
                .containsExactly(1L, 2L);
    }

    @Test
    void theWritesOfUnitsCommittedTogetherComeOutInTheOrderTheUnitsAsked() throws Exception {
        // A store may hold writes back and send them with later ones (SQLite's writer holds an insert
        // for the lease that follows, PostgreSQL's sends a batch's writes in few messages, and a store
        // may write rows of one kind together); what the units of a commit asked must come out as if
        // each had been written in order.
        var fetch = new WorkKey("r1", "fetch", 0);
        var score = new WorkKey("r1", "score", 0);
        var retry = new WorkKey("r1", "retry", 0);
        var again = new WorkKey("r2", "score", 0);
        var other = new WorkKey("r3", "score", 0);
        write(tx -> {
            tx.runs().save(run("r1", "onboarding", "acme", "ev-1", RunStatus.RUNNING));
            tx.runs().save(run("r2", "onboarding", "globex", "ev-2", RunStatus.RUNNING));
            tx.work().add(new WorkItem(fetch, WorkKind.STEP, T0, 0));
            tx.work().lease(fetch, "node-1/w1", T0.plusSeconds(30));
            tx.work().add(new WorkItem(again, WorkKind.STEP, T0, 0));
            tx.work().lease(again, "node-1/w2", T0.plusSeconds(30));
            return null;
        });
        var queued = new java.util.concurrent.CountDownLatch(1);
        var held = holdTheWriter(queued);
        var units = new java.util.ArrayList<java.util.concurrent.Future<?>>();
        // r1's step completes and leases the next one, then the run ends: the next one goes with it.
        units.add(store.submit(tx -> {
            tx.stepCompleted(fetch);
            tx.work().add(new WorkItem(score, WorkKind.STEP, T0, 0));
            tx.work().started(score, 1);
            tx.work().lease(score, "node-1/w1", T0.plusSeconds(30));
            var state = tx.runs().load("r1").orElseThrow().state();
            state.current = "score";
            state.seq = 2;
            state.updatedAt = T0.plusSeconds(2);
            tx.runs().save(state);
            return null;
        }));
        units.add(store.submit(tx -> {
            tx.runEnded("r1", T0.plusSeconds(5), Json.object().put("comment", "the run ended"));
            return null;
        }));
        // An item of the ended run added after its end stays.
        units.add(store.submit(tx -> {
            tx.work().add(new WorkItem(retry, WorkKind.STEP, T0, 0));
            return null;
        }));
        // r2 moves twice: the second move stands.
        for (var step : List.of("score", "send")) {
            units.add(store.submit(tx -> {
                var state = tx.runs().load("r2").orElseThrow().state();
                state.current = step;
                state.seq++;
                state.updatedAt = T0.plusSeconds(state.seq);
                if (step.equals("send")) {
                    state.status = RunStatus.COMPLETED;
                }
                tx.runs().save(state);
                return null;
            }));
        }
        // r2's step completes, and is scheduled again under the same key by the next unit.
        units.add(store.submit(tx -> {
            tx.stepCompleted(again);
            return null;
        }));
        units.add(store.submit(tx -> {
            tx.work().add(new WorkItem(again, WorkKind.STEP, T0.plusSeconds(1), 1));
            return null;
        }));
        // A new run, saved whole beside the others' moves.
        units.add(store.submit(tx -> {
            tx.runs().save(run("r3", "billing", "initech", "ev-3", RunStatus.RUNNING));
            tx.work().add(new WorkItem(other, WorkKind.STEP, T0, 0));
            return null;
        }));
        queued.countDown();
        held.get(30, java.util.concurrent.TimeUnit.SECONDS);
        for (var unit : units) {
            unit.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }

        assertThat(read((Tx tx) -> tx.work().due(T0.plusSeconds(31), 10)))
                .as("the ended run's leased step went with it; what came after its end and the rescheduled step stay")
                .extracting(WorkItem::key, WorkItem::attempt)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(retry, 0),
                        org.assertj.core.groups.Tuple.tuple(again, 1),
                        org.assertj.core.groups.Tuple.tuple(other, 0));
        var runs = read(tx -> tx.runs().find(RunQuery.all(), 10));
        assertThat(runs)
                .extracting(
                        dev.aios.kernel.RunSummary::id,
                        dev.aios.kernel.RunSummary::status,
                        r -> r.currentStep().orElse(null),
                        dev.aios.kernel.RunSummary::updatedAt)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("r1", RunStatus.RUNNING, "score", T0.plusSeconds(2)),
                        org.assertj.core.groups.Tuple.tuple("r2", RunStatus.COMPLETED, "send", T0.plusSeconds(3)),
                        org.assertj.core.groups.Tuple.tuple("r3", RunStatus.RUNNING, null, T0));
    }

    @Test
    void anEndedRunLeavesNoWorkWaitsOrForEachItemsAndItsOpenTasksAreCancelled() {
        var step = new WorkKey("r1", "score", 0);
        var waiting = new WorkKey("r1", "deliver", 0);
        var other = new WorkKey("r2", "score", 0);
        write(tx -> {
            for (var key : List.of(step, other)) {
                tx.work().add(new WorkItem(key, WorkKind.STEP, T0, 0));
                tx.work().lease(key, "node-1/" + key.runId(), T0.plusSeconds(30));
                tx.tasks().open(task("t-" + key.runId(), key, TaskKind.REVIEW));
                tx.loops().list(key.runId(), "each", List.of(Json.tree("{\"to\":\"a\"}")));
            }
            tx.awaits().add(waiting, "delivery.accepted", "acme", T0.plusSeconds(60), 0);
            tx.tasks()
                    .resolve(
                            "t-r1",
                            TaskStatus.APPROVED,
                            T0.plusSeconds(1),
                            Json.object().put("by", "op"));
            tx.tasks().open(task("t-r1-open", waiting, TaskKind.APPROVAL));
            return null;
        });
        write(tx -> {
            tx.runEnded("r1", T0.plusSeconds(5), Json.object().put("comment", "the run ended"));
            return null;
        });
        assertThat(write((Tx tx) ->
                        List.of(tx.work().holds(step, "node-1/r1"), tx.work().holds(other, "node-1/r2"))))
                .as("the ended run's lease is gone, the other run's is held")
                .containsExactly(false, true);
        assertThat(read((Tx tx) -> tx.work().due(T0.plusSeconds(31), 10)))
                .extracting(WorkItem::key)
                .containsExactly(other);
        assertThat(read((Tx tx) -> tx.awaits().find(waiting))).isEmpty();
        assertThat(read((Tx tx) -> tx.loops().items("r1", "each"))).isEmpty();
        assertThat(read((Tx tx) -> tx.loops().items("r2", "each"))).hasSize(1);
        assertThat(read((Tx tx) -> tx.tasks().find("t-r1")).orElseThrow().status())
                .as("an answered task keeps its answer")
                .isEqualTo(TaskStatus.APPROVED);
        var cancelled = read(tx -> tx.tasks().find("t-r1-open")).orElseThrow();
        assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(cancelled.resolvedAt()).contains(T0.plusSeconds(5));
        assertThat(read((Tx tx) -> tx.tasks().find("t-r2")).orElseThrow().status())
                .isEqualTo(TaskStatus.OPEN);
    }

    @Test
    void anEntryAppendedTwiceAtTheSamePlaceIsRefused() {
        write(tx -> tx.journal().append(entry("r1", 1)));
        assertThatThrownBy(() -> write(tx -> tx.journal().append(entry("r1", 1))))
                .isInstanceOf(dev.aios.kernel.StorageException.class);
        assertThat(read((Tx tx) -> tx.journal().entries("r1", 0))).hasSize(1);
    }

    @Test
    void anEventIsNotLoggedWhenItsOtherIdOrItsOwnWasLoggedBefore() {
        var forgotten =
                write(tx -> tx.events().append(event("p-e1", "lead.received", "p-acme"), "json", bytes("{}"), T0));
        var resent = write(tx ->
                tx.events().appendUnless("p-e1", event("e1", "lead.received", "acme"), "json", bytes("{\"a\":1}"), T0));
        var fresh = write(tx ->
                tx.events().appendUnless("p-e2", event("e2", "lead.received", "acme"), "json", bytes("{\"a\":2}"), T0));
        var again = write(tx ->
                tx.events().appendUnless("p-e2", event("e2", "lead.received", "acme"), "json", bytes("{\"a\":3}"), T0));
        assertThat(forgotten).isPresent();
        assertThat(resent).isEmpty();
        assertThat(again).isEmpty();
        assertThat(fresh.getAsLong()).isGreaterThan(forgotten.getAsLong());

        var all = read(tx -> tx.events().after(0, 10));
        assertThat(all).extracting(EventStore.StoredEvent::id).containsExactly("p-e1", "e2");
        assertThat(all.get(1).seq()).isEqualTo(fresh.getAsLong());
        assertThat(new String(all.get(1).data(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":2}");
        assertThat(all.get(1).time()).isEqualTo(T0);
        assertThat(all.get(1).correlationId()).isEqualTo("corr");
    }

    @Test
    void eventsAreLoggedOnceByIdInArrivalOrder() {
        var first = write(tx -> tx.events().append(event("e1", "lead.received", "acme"), "json", bytes("{}"), T0));
        var again = write(tx -> tx.events().append(event("e1", "lead.received", "acme"), "json", bytes("{}"), T0));
        var second = write(tx -> tx.events().append(event("e2", "delivery.accepted", "acme"), "json", bytes("{}"), T0));
        assertThat(first).isPresent();
        assertThat(again).isEmpty();
        assertThat(second.getAsLong()).isGreaterThan(first.getAsLong());

        var all = read(tx -> tx.events().after(0, 10));
        assertThat(all).extracting(EventStore.StoredEvent::id).containsExactly("e1", "e2");
        assertThat(all.get(0).correlationId()).isEqualTo("corr");
        assertThat(all.get(0).time()).isEqualTo(T0);
        assertThat(read((Tx tx) -> tx.events().after(first.getAsLong(), 10)))
                .extracting(EventStore.StoredEvent::id)
                .containsExactly("e2");
        assertThat(read((Tx tx) -> tx.events().ofType("lead.received", 0, 10)))
                .extracting(EventStore.StoredEvent::id)
                .containsExactly("e1");
        assertThat(read((Tx tx) -> tx.events().head())).isEqualTo(second.getAsLong());
        assertThat(read((Tx tx) -> tx.events().countOf("acme"))).isEqualTo(2);
    }

    @Test
    void runsAreSavedReplacedFoundAndCountedByStatus() {
        write(tx -> {
            tx.runs().save(run("r1", "onboarding", "acme", "ev-1", RunStatus.RUNNING));
            tx.runs().save(run("r2", "onboarding", "globex", "ev-2", RunStatus.COMPLETED));
            tx.runs().save(run("r3", "billing", "acme", "ev-1", RunStatus.WAITING));
            return null;
        });
        var changed = run("r1", "onboarding", "acme", "ev-1", RunStatus.FAILED);
        changed.seq = 7;
        write(tx -> {
            tx.runs().save(changed);
            return null;
        });

        var loaded = read(tx -> tx.runs().load("r1")).orElseThrow().state();
        assertThat(loaded.status).isEqualTo(RunStatus.FAILED);
        assertThat(loaded.seq).isEqualTo(7);
        assertThat(loaded.trigger.path("id").asText()).isEqualTo("ev-1");
        assertThat(read((Tx tx) -> tx.runs().load("nope"))).isEmpty();
        assertThat(read((Tx tx) -> tx.runs().exists("r2"))).isTrue();
        assertThat(read((Tx tx) -> tx.runs().ids())).containsExactlyInAnyOrder("r1", "r2", "r3");
        assertThat(read((Tx tx) -> tx.runs().idsOf("acme"))).containsExactlyInAnyOrder("r1", "r3");
        assertThat(read((Tx tx) -> tx.runs().startedBy("ev-1", "onboarding"))).containsExactly("r1");
        assertThat(read((Tx tx) -> tx.runs().find(RunQuery.all().withStatus(RunStatus.COMPLETED), 10)))
                .extracting(dev.aios.kernel.RunSummary::id)
                .containsExactly("r2");
        assertThat(read((Tx tx) -> tx.runs().find(RunQuery.all().withPlaybook("onboarding"), 10)))
                .hasSize(2);
        var counts = read(tx -> tx.runs().countByStatus());
        assertThat(counts.get(RunStatus.FAILED)).isEqualTo(1);
        assertThat(counts.get(RunStatus.RUNNING)).isZero();
        assertThat(read((Tx tx) -> tx.reports().runsPerVersion())).containsEntry("onboarding@1", 2L);
    }

    @Test
    void snapshotsKeepTheNewestFromTheSeqAsked() {
        write(tx -> {
            var state = run("r1", "p", "", "ev", RunStatus.RUNNING);
            for (long seq = 10; seq <= 30; seq += 10) {
                state.seq = seq;
                state.checksum = "c" + seq;
                tx.snapshots().save(state, seq - 10);
            }
            return null;
        });
        assertThat(read((Tx tx) -> tx.snapshots().of("r1")))
                .extracting(SnapshotStore.Snapshot::seq)
                .containsExactly(30L, 20L);
        write(tx -> {
            tx.snapshots().removeRun("r1");
            return null;
        });
        assertThat(read((Tx tx) -> tx.snapshots().of("r1"))).isEmpty();
    }

    @Test
    void dueWorkIsHandedOutOnceUntilItsLeaseExpires() {
        var step = new WorkKey("r1", "score", 0);
        var later = new WorkKey("r1", "sprint", 0);
        write(tx -> {
            tx.work().add(new WorkItem(step, WorkKind.STEP, T0, 0));
            tx.work().add(new WorkItem(later, WorkKind.TIMER, T0.plusSeconds(10), 0));
            return null;
        });
        var due = write(tx -> {
            var items = tx.work().due(T0, 10);
            items.forEach(item -> tx.work().lease(item.key(), "node-1/w1", T0.plusSeconds(30)));
            return items;
        });
        assertThat(due).extracting(WorkItem::key).containsExactly(step);
        assertThat(write((Tx tx) -> tx.work().due(T0.plusSeconds(1), 10))).isEmpty();
        assertThat(read((Tx tx) -> tx.work().holds(step, "node-1/w1"))).isTrue();
        assertThat(read((Tx tx) -> tx.work().holds(step, "node-2/w1"))).isFalse();
        assertThat(write((Tx tx) -> tx.work().extend(step, "node-2/w1", T0.plusSeconds(90))))
                .isFalse();
        assertThat(write((Tx tx) -> tx.work().extend(step, "node-1/w1", T0.plusSeconds(60))))
                .isTrue();
        assertThat(read((Tx tx) -> tx.work().nextDue(T0))).contains(T0.plusSeconds(10));
        var queue = read(tx -> tx.work().queue(T0.plusSeconds(1)));
        assertThat(queue.leased()).isEqualTo(1);
        assertThat(queue.later()).isEqualTo(1);
        assertThat(queue.due()).isZero();

        assertThat(write((Tx tx) -> tx.work().due(T0.plusSeconds(61), 10)))
                .as("a lease that expired is taken over")
                .extracting(WorkItem::key)
                .containsExactly(step, later);

        write(tx -> {
            tx.work().put(new WorkItem(step, WorkKind.ESCALATE, T0.plusSeconds(5), 2));
            tx.work().started(later, 1);
            return null;
        });
        assertThat(read((Tx tx) -> tx.work().holds(step, "node-1/w1")))
                .as("an item put in place of another is free")
                .isFalse();
        write(tx -> {
            tx.work().remove(step, WorkKind.STEP);
            return null;
        });
        assertThat(read((Tx tx) -> tx.work().due(T0.plusSeconds(5), 10)))
                .extracting(WorkItem::kind)
                .containsExactly(WorkKind.ESCALATE);
        write(tx -> {
            tx.work().remove(step, WorkKind.ESCALATE);
            tx.work().dueAt(later, T0, 3);
            return null;
        });
        assertThat(read((Tx tx) -> tx.work().due(T0, 10)))
                .extracting(WorkItem::key, WorkItem::attempt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(later, 3));
    }

    @Test
    void itemsWhoseLeaseRanOutAreDueInTheOrderOfTheirDueTimeAmongTheFreeOnes() {
        var lost = new WorkKey("r1", "lost", 0);
        var free = new WorkKey("r2", "free", 0);
        var held = new WorkKey("r3", "held", 0);
        var last = new WorkKey("r4", "last", 0);
        write(tx -> {
            tx.work().add(new WorkItem(lost, WorkKind.STEP, T0, 0));
            tx.work().add(new WorkItem(free, WorkKind.STEP, T0.plusSeconds(5), 0));
            tx.work().add(new WorkItem(held, WorkKind.STEP, T0.plusSeconds(1), 0));
            tx.work().add(new WorkItem(last, WorkKind.TIMER, T0.plusSeconds(20), 0));
            tx.work().lease(lost, "node-1/w1", T0.plusSeconds(10));
            tx.work().lease(held, "node-1/w2", T0.plusSeconds(60));
            return null;
        });
        assertThat(read((Tx tx) -> tx.work().due(T0.plusSeconds(9), 10)))
                .as("before the lease ran out")
                .extracting(WorkItem::key)
                .containsExactly(free);
        assertThat(read((Tx tx) -> tx.work().nextDue(T0.plusSeconds(9)))).contains(T0.plusSeconds(5));
        assertThat(write((Tx tx) -> tx.work().due(T0.plusSeconds(30), 10)))
                .extracting(WorkItem::key)
                .containsExactly(lost, free, last);
        assertThat(write((Tx tx) -> tx.work().due(T0.plusSeconds(30), 2)))
                .extracting(WorkItem::key)
                .containsExactly(lost, free);
        assertThat(read((Tx tx) -> tx.work().due(T0.plusSeconds(30), 1)))
                .extracting(WorkItem::key)
                .containsExactly(lost);
        assertThat(read((Tx tx) -> tx.work().nextDue(T0.plusSeconds(30)))).contains(T0);
        write(tx -> {
            tx.work().lease(lost, "node-1/w3", T0.plusSeconds(90));
            tx.work().lease(free, "node-1/w4", T0.plusSeconds(90));
            return null;
        });
        assertThat(read((Tx tx) -> tx.work().due(T0.plusSeconds(70), 10)))
                .as("taken over again, and the other lease ran out")
                .extracting(WorkItem::key)
                .containsExactly(held, last);
        assertThat(read((Tx tx) -> tx.work().nextDue(T0.plusSeconds(30)))).contains(T0.plusSeconds(20));
    }

    @Test
    void anItemLeasedInTheWriteThatAddsItIsHeldFromItsFirstCommit() {
        var step = new WorkKey("r1", "score", 0);
        var timer = new WorkKey("r1", "remind", 0);
        var released = new WorkKey("r1", "sprint", 0);
        var relet = new WorkKey("r2", "score", 0);
        write(tx -> {
            tx.work().add(new WorkItem(step, WorkKind.STEP, T0, 0));
            tx.work().started(step, 1);
            tx.work().lease(step, "node-1/w1", T0.plusSeconds(30));
            tx.work().add(new WorkItem(timer, WorkKind.TIMER, T0, 0));
            tx.work().lease(timer, "node-1/w2", T0.plusSeconds(30));
            tx.work().add(new WorkItem(released, WorkKind.STEP, T0, 0));
            tx.work().lease(released, "node-1/w3", T0.plusSeconds(30));
            tx.work().dueAt(released, T0);
            tx.work().add(new WorkItem(relet, WorkKind.STEP, T0, 0));
            tx.work().dueAt(relet, T0.plusSeconds(1));
            tx.work().lease(relet, "node-1/w4", T0.plusSeconds(30));
            return null;
        });
        assertThat(read((Tx tx) -> tx.work().holds(step, "node-1/w1"))).isTrue();
        assertThat(read((Tx tx) -> tx.work().holds(timer, "node-1/w2"))).isTrue();
        assertThat(read((Tx tx) -> tx.work().holds(relet, "node-1/w4"))).isTrue();
        assertThat(read((Tx tx) -> tx.work().holds(released, "node-1/w3")))
                .as("a lease given up after it was taken")
                .isFalse();
        assertThat(write((Tx tx) -> tx.work().due(T0.plusSeconds(1), 10)))
                .as("only the item whose lease was given up is handed out again")
                .extracting(WorkItem::key)
                .containsExactly(released);
        assertThat(write((Tx tx) -> tx.work().due(T0.plusSeconds(31), 10)))
                .as("each item with the attempt it was started with, once its lease expired")
                .extracting(WorkItem::key, WorkItem::attempt)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(step, 1),
                        org.assertj.core.groups.Tuple.tuple(timer, 0),
                        org.assertj.core.groups.Tuple.tuple(released, 0),
                        org.assertj.core.groups.Tuple.tuple(relet, 0));
    }

    @Test
    void aRunsDueItemsCountOneAddedInTheSameWriteAndAWriteThatFailsLeavesNoItem() {
        var stored = new WorkKey("r1", "fetch", 0);
        var next = new WorkKey("r1", "score", 0);
        var timer = new WorkKey("r1", "remind", 0);
        write(tx -> {
            tx.work().add(new WorkItem(stored, WorkKind.STEP, T0, 0));
            return null;
        });
        var seen = write((Tx tx) -> {
            tx.work().add(new WorkItem(next, WorkKind.STEP, T0, 0));
            tx.journal().append(entry("r9", 1));
            var added = tx.work().due("r1", T0);
            tx.work().started(next, 1);
            var started = tx.work().due("r1", T0);
            tx.work().lease(next, "node-1/w1", T0.plusSeconds(30));
            tx.work().add(new WorkItem(timer, WorkKind.TIMER, T0.plusSeconds(60), 0));
            var leased = tx.work().due("r1", T0);
            return List.of(added, started, leased);
        });
        assertThat(seen.get(0))
                .as("the item added in the write, beside the one stored before")
                .extracting(WorkItem::key, WorkItem::attempt)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(stored, 0), org.assertj.core.groups.Tuple.tuple(next, 0));
        assertThat(seen.get(1))
                .as("with the attempt it was started with")
                .extracting(WorkItem::key, WorkItem::attempt)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(stored, 0), org.assertj.core.groups.Tuple.tuple(next, 1));
        assertThat(seen.get(2))
                .as("neither the leased item nor the timer not due yet")
                .extracting(WorkItem::key)
                .containsExactly(stored);
        assertThat(read((Tx tx) -> tx.work().holds(next, "node-1/w1"))).isTrue();
        assertThat(read((Tx tx) -> tx.journal().entries("r9", 0))).hasSize(1);

        var lost = new WorkKey("r2", "score", 0);
        assertThatThrownBy(() -> write(tx -> {
                    tx.journal().append(entry("r2", 1));
                    tx.work().add(new WorkItem(lost, WorkKind.STEP, T0, 0));
                    tx.work().started(lost, 1);
                    tx.journal().append(entry("r2", 2));
                    throw new IllegalStateException("refused");
                }))
                .hasMessage("refused");
        write(tx -> tx.journal().append(entry("r9", 2)));
        assertThat(read((Tx tx) -> tx.work().due("r2", T0.plusSeconds(61))))
                .as("an item added by a write that failed")
                .isEmpty();
        assertThat(read((Tx tx) -> tx.work().due(T0.plusSeconds(61), 10)))
                .extracting(WorkItem::key, WorkItem::attempt)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(stored, 0),
                        org.assertj.core.groups.Tuple.tuple(next, 1),
                        org.assertj.core.groups.Tuple.tuple(timer, 0));
    }

    @Test
    void theLeasesOfARunEndedOrOfAScopeLeftAreGoneAndOthersStillHeld() {
        var ended = new WorkKey("r1", "score", 0);
        var inScope = new WorkKey("r2", "each/0/send", 0);
        var outOfScope = new WorkKey("r2", "notify", 0);
        var other = new WorkKey("r3", "score", 0);
        write(tx -> {
            for (var key : List.of(ended, inScope, outOfScope, other)) {
                tx.work().add(new WorkItem(key, WorkKind.STEP, T0, 0));
                tx.work().lease(key, "node-1/" + key.runId(), T0.plusSeconds(30));
            }
            return null;
        });
        write(tx -> {
            tx.work().removeRun("r1");
            tx.work().removeWithin("r2", "each");
            return null;
        });
        // Asked by the writer, which knows the leases it granted: the first check of a write may
        // be its first round trip, so the one that matters comes after it.
        assertThat(write((Tx tx) -> List.of(
                        tx.work().holds(other, "node-1/r3"),
                        tx.work().holds(ended, "node-1/r1"),
                        tx.work().holds(inScope, "node-1/r2"),
                        tx.work().holds(outOfScope, "node-1/r2"))))
                .as("held: the other run's item, the item outside the scope left")
                .containsExactly(true, false, false, true);
        assertThat(read((Tx tx) -> tx.work().holds(other, "node-1/r3"))).isTrue();
        assertThat(read((Tx tx) -> tx.work().due(T0.plusSeconds(31), 10)))
                .extracting(WorkItem::key)
                .containsExactlyInAnyOrder(outOfScope, other);
    }

    @Test
    void aRunsDueWorkIsHandedOutAloneUntilLeased() {
        var first = new WorkKey("r1", "score", 0);
        var notYet = new WorkKey("r1", "remind", 0);
        var other = new WorkKey("r2", "score", 0);
        write(tx -> {
            tx.work().add(new WorkItem(first, WorkKind.STEP, T0, 0));
            tx.work().add(new WorkItem(notYet, WorkKind.TIMER, T0.plusSeconds(10), 0));
            tx.work().add(new WorkItem(other, WorkKind.STEP, T0.minusSeconds(5), 0));
            return null;
        });
        var due = write(tx -> {
            var items = tx.work().due("r1", T0);
            items.forEach(item -> tx.work().lease(item.key(), "node-1/w1", T0.plusSeconds(30)));
            return items;
        });
        assertThat(due)
                .as("only the run's own items that are due")
                .extracting(WorkItem::key, WorkItem::kind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(first, WorkKind.STEP));
        assertThat(write((Tx tx) -> tx.work().due("r1", T0.plusSeconds(10))))
                .as("a leased item is not handed out again while its lease lasts")
                .extracting(WorkItem::key)
                .containsExactly(notYet);
        assertThat(read((Tx tx) -> tx.work().due(T0, 10)))
                .extracting(WorkItem::key)
                .containsExactly(other);
    }

    @Test
    void aRunSavedSeveralTimesInOneWriteIsReadBackAsLastSaved() {
        var state = run("r1", "onboarding", "acme", "ev-1", RunStatus.RUNNING);
        var seen = write(tx -> {
            tx.runs().save(state);
            state.status = RunStatus.WAITING;
            state.seq = 2;
            tx.runs().save(state);
            var summaries = tx.runs().find(RunQuery.all().withStatus(RunStatus.WAITING), 10);
            // Failed, so written whole: no journal here to fold a completed run's tail from.
            state.status = RunStatus.FAILED;
            state.seq = 3;
            tx.runs().save(state);
            return summaries;
        });
        assertThat(seen)
                .as("a query in the same write sees what was saved before it")
                .extracting(dev.aios.kernel.RunSummary::id)
                .containsExactly("r1");
        var loaded = read(tx -> tx.runs().load("r1")).orElseThrow().state();
        assertThat(loaded.status).isEqualTo(RunStatus.FAILED);
        assertThat(loaded.seq).isEqualTo(3);

        var failing = run("r2", "onboarding", "acme", "ev-2", RunStatus.RUNNING);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> write(tx -> {
                    tx.runs().save(failing);
                    throw new IllegalStateException("the unit fails after saving");
                }))
                .hasMessageContaining("the unit fails");
        assertThat(read((Tx tx) -> tx.runs().exists("r2")))
                .as("a unit that failed saved nothing")
                .isFalse();
    }

    @Test
    void workInsideAStepIsRemovedWithItAndNothingBeyond() {
        write(tx -> {
            tx.work().add(new WorkItem(new WorkKey("r1", "each/0/send", 0), WorkKind.STEP, T0, 0));
            tx.work().add(new WorkItem(new WorkKey("r1", "eachother", 0), WorkKind.STEP, T0, 0));
            tx.work().add(new WorkItem(new WorkKey("r2", "each/1/send", 0), WorkKind.STEP, T0, 0));
            tx.awaits().add(new WorkKey("r1", "each/0/wait", 0), "reply", "acme", T0, 0);
            tx.awaits().add(new WorkKey("r1", "eachwait", 0), "reply", "acme", T0, 0);
            tx.work().removeWithin("r1", "each");
            tx.awaits().removeWithin("r1", "each");
            return null;
        });
        assertThat(read((Tx tx) -> tx.work().due(T0, 10)))
                .extracting(item -> item.key().runId() + ":" + item.key().step())
                .containsExactlyInAnyOrder("r1:eachother", "r2:each/1/send");
        assertThat(read((Tx tx) -> tx.awaits().waitingFor("reply")))
                .extracting(w -> w.key().step())
                .containsExactly("eachwait");
    }

    @Test
    void aWriteAsksWhetherAStepWaitsForAnEventTypeAndHearsBeforeItReturns() {
        write(tx -> {
            tx.awaits().add(new WorkKey("r1", "deliver", 0), "delivery.accepted", "acme", T0.plusSeconds(60), 0);
            return null;
        });
        var answers = new java.util.concurrent.ConcurrentHashMap<String, Boolean>();
        write(tx -> {
            tx.awaits().whetherWaitingFor("delivery.accepted", a -> answers.put("delivery.accepted", a));
            tx.awaits().whetherWaitingFor("invoice.paid", a -> answers.put("invoice.paid", a));
            // Written after the questions, as an event's rows are.
            tx.events().append(event("e1", "invoice.paid", "acme"), "json", bytes("{}"), T0);
            return null;
        });
        assertThat(answers).containsEntry("delivery.accepted", true).containsEntry("invoice.paid", false);
    }

    @Test
    void aWaitingRunIsBehindUntilCheckedAgainstTheEventsOfItsType() {
        var key = new WorkKey("r1", "deliver", 0);
        write(tx -> {
            tx.awaits().add(key, "delivery.accepted", "acme", T0.plusSeconds(60), 0);
            return null;
        });
        assertThat(read((Tx tx) -> tx.awaits().count())).isEqualTo(1);
        assertThat(read((Tx tx) -> tx.awaits().behind(key))).isFalse();
        long seq = write(tx -> tx.events()
                .append(event("e1", "delivery.accepted", "acme"), "json", bytes("{}"), T0)
                .getAsLong());
        assertThat(read((Tx tx) -> tx.awaits().behind(key))).isTrue();
        assertThat(read((Tx tx) -> tx.awaits().behind(10)))
                .extracting(AwaitStore.Waiting::key)
                .containsExactly(key);
        write(tx -> {
            tx.awaits().checked(key, seq);
            return null;
        });
        assertThat(read((Tx tx) -> tx.awaits().behind(key))).isFalse();
        assertThat(read((Tx tx) -> tx.awaits().find(key)).orElseThrow().checked())
                .isEqualTo(seq);
        write(tx -> {
            tx.awaits().removeRun("r1");
            return null;
        });
        assertThat(read((Tx tx) -> tx.awaits().find(key))).isEmpty();
    }

    @Test
    void forEachItemsAreListedAndCollectTheirOutputs() {
        write(tx -> {
            tx.loops().list("r1", "each", List.of(Json.tree("{\"to\":\"a\"}"), Json.tree("{\"to\":\"b\"}")));
            tx.loops().ended("r1", "each", 1, Json.tree("{\"sent\":true}"));
            return null;
        });
        assertThat(read((Tx tx) -> tx.loops().item("r1", "each", 0))
                        .orElseThrow()
                        .path("to")
                        .asText())
                .isEqualTo("a");
        var items = read(tx -> tx.loops().items("r1", "each"));
        assertThat(items).extracting(LoopStore.LoopItem::index).containsExactly(0, 1);
        assertThat(items.get(0).outputs()).isEmpty();
        assertThat(items.get(1).outputs().orElseThrow().path("sent").asBoolean())
                .isTrue();
        write(tx -> {
            tx.loops().remove("r1", "each");
            return null;
        });
        assertThat(read((Tx tx) -> tx.loops().items("r1", "each"))).isEmpty();
    }

    static TaskRecord task(String id, WorkKey step, TaskKind kind) {
        return new TaskRecord(
                id,
                step,
                kind,
                TaskStatus.OPEN,
                "Review " + id,
                "because",
                Json.object().put("run", step.runId()),
                Json.object().put("score", 1),
                List.of(TaskOption.APPROVE, TaskOption.REJECT),
                T0,
                Optional.empty(),
                Optional.empty(),
                List.of());
    }

    @Test
    void tasksWaitOpenAreAnsweredAndKeepTheirEscalations() {
        var step = new WorkKey("r1", "score", 0);
        write(tx -> {
            tx.tasks().open(task("t1", step, TaskKind.REVIEW));
            tx.tasks().open(task("t2", new WorkKey("r1", "each/0/ask", 0), TaskKind.APPROVAL));
            tx.tasks().escalated("t1", Json.object().put("rail", "remind"));
            tx.tasks().escalated("t1", Json.object().put("rail", "delegate"));
            return null;
        });
        var t1 = read(tx -> tx.tasks().find("t1")).orElseThrow();
        assertThat(t1.kind()).isEqualTo(TaskKind.REVIEW);
        assertThat(t1.options()).containsExactly(TaskOption.APPROVE, TaskOption.REJECT);
        assertThat(t1.escalations()).extracting(e -> e.path("rail").asText()).containsExactly("remind", "delegate");
        assertThat(read((Tx tx) -> tx.tasks().openAt(step))).map(TaskRecord::id).contains("t1");
        assertThat(read((Tx tx) -> tx.tasks().countOpen())).isEqualTo(2);
        assertThat(read((Tx tx) -> tx.tasks().openByKind())).containsOnlyKeys(TaskKind.REVIEW, TaskKind.APPROVAL);

        write(tx -> {
            tx.tasks()
                    .resolve(
                            "t1",
                            TaskStatus.APPROVED,
                            T0.plusSeconds(5),
                            Json.object().put("by", "op"));
            tx.tasks().cancelOpenWithin("r1", "each", T0.plusSeconds(6), Json.object());
            return null;
        });
        var answered = read(tx -> tx.tasks().find("t1")).orElseThrow();
        assertThat(answered.status()).isEqualTo(TaskStatus.APPROVED);
        assertThat(answered.resolvedAt()).contains(T0.plusSeconds(5));
        assertThat(read((Tx tx) -> tx.tasks().find("t2")).orElseThrow().status())
                .isNotEqualTo(TaskStatus.OPEN);
        assertThat(read((Tx tx) -> tx.tasks().countOpen())).isZero();
        assertThat(read((Tx tx) -> tx.tasks().ofRun("r1"))).hasSize(2);
        assertThat(read((Tx tx) -> tx.reports().answered(T0)))
                .extracting(dev.aios.kernel.Digest.Count::count)
                .contains(1L);
    }

    @Test
    void theFirstReceiptOfAnEffectStands() {
        var step = new WorkKey("r1", "pay", 0);
        write(tx -> {
            tx.receipts().put("pay-1", step, "payment", Json.object().put("id", "first"), T0);
            tx.receipts().put("pay-1", step, "payment", Json.object().put("id", "second"), T0);
            return null;
        });
        assertThat(read((Tx tx) -> tx.receipts().find("pay-1"))
                        .orElseThrow()
                        .path("id")
                        .asText())
                .isEqualTo("first");
        assertThat(read((Tx tx) -> tx.receipts().ofRun("r1"))).containsOnlyKeys("pay-1");
    }

    @Test
    void subjectKeysAreDestroyedWhenTheSubjectIsForgotten() {
        var bare = new byte[32];
        var wrapped = new byte[60];
        write(tx -> {
            tx.keys().add("acme", 1, bare, T0);
            tx.keys().add("globex", 1, wrapped, T0);
            return null;
        });
        assertThat(read((Tx tx) -> tx.keys().current("acme")).orElseThrow().generation())
                .isEqualTo(1);
        assertThat(read((Tx tx) -> tx.keys().sized(32)))
                .extracting(KeyStore.SubjectKey::subject)
                .containsExactly("acme");
        write(tx -> {
            tx.keys().replace("acme", 1, wrapped);
            return null;
        });
        assertThat(read((Tx tx) -> tx.keys().sized(32))).isEmpty();
        assertThat(read((Tx tx) -> tx.keys().anyMaterial())).isPresent();

        assertThat(write((Tx tx) -> tx.keys().destroy("acme", T0.plusSeconds(1))))
                .isEqualTo(1);
        assertThat(read((Tx tx) -> tx.keys().forgotten("acme"))).isTrue();
        assertThat(read((Tx tx) -> tx.keys().forgotten("globex"))).isFalse();
        assertThat(read((Tx tx) -> tx.keys().material("acme", 1))).isEmpty();
        assertThat(read((Tx tx) -> tx.keys().current("acme"))).isEmpty();
        assertThat(read((Tx tx) -> tx.keys().lastGeneration("acme"))).isEqualTo(1);
        assertThat(read((Tx tx) -> tx.keys().destroyed()))
                .extracting(KeyStore.SubjectKey::subject)
                .containsExactly("acme");
    }

    @Test
    void playbookVersionsAreKeptAndTheActiveOnesMarked() {
        var v1 = new StoredPlaybook("onboarding", "1", "name: onboarding", "{}", T0);
        var v2 = new StoredPlaybook("onboarding", "2", "name: onboarding # 2", "{}", T0);
        write(tx -> {
            tx.playbooks().activate(List.of(v1));
            tx.playbooks().activate(List.of(v2));
            return null;
        });
        assertThat(read((Tx tx) -> tx.playbooks().all()))
                .extracting(StoredPlaybook::version)
                .containsExactlyInAnyOrder("1", "2");
    }

    @Test
    void theAuditLogKeepsItsPositionsEvenWhenTheNewestEntryIsGone() {
        write(tx -> {
            for (long seq = 1; seq <= 3; seq++) {
                tx.audit()
                        .append(new StoredAudit(
                                seq, T0.plusSeconds(seq), "op", "task.approve", "t" + seq, "{}", "c" + seq));
            }
            return null;
        });
        assertThat(read((Tx tx) -> tx.audit().last()).orElseThrow().seq()).isEqualTo(3);
        assertThat(read((Tx tx) -> tx.audit().assigned())).isEqualTo(3);
        assertThat(read((Tx tx) -> tx.audit().since(T0.plusSeconds(2), 10)))
                .extracting(StoredAudit::target)
                .containsExactly("t2", "t3");
        assertThat(read((Tx tx) -> tx.audit().all()))
                .extracting(StoredAudit::details)
                .containsOnly("{}");
    }

    @Test
    void tokensAreFoundByNameOrHashAndRevoked() {
        write(tx -> {
            tx.tokens().put("laptop", "h1", Set.of(Scope.READ), T0, "admin", Optional.of(T0.plusSeconds(60)));
            tx.tokens().put("laptop", "h2", Set.of(Scope.OPERATE), T0, "admin", Optional.empty());
            return null;
        });
        assertThat(read((Tx tx) -> tx.tokens().byHash("h1")))
                .as("a token put again replaces the old")
                .isEmpty();
        var token = read(tx -> tx.tokens().byHash("h2")).orElseThrow();
        assertThat(token.scopes()).containsExactly(Scope.OPERATE);
        assertThat(token.expiresAt()).isEmpty();
        write(tx -> {
            tx.tokens().used("laptop", T0.plusSeconds(1));
            tx.tokens().revoke("laptop", T0.plusSeconds(2));
            return null;
        });
        var revoked = read(tx -> tx.tokens().byName("laptop")).orElseThrow();
        assertThat(revoked.revokedAt()).contains(T0.plusSeconds(2));
        assertThat(revoked.lastUsedAt()).contains(T0.plusSeconds(1));
        assertThat(read((Tx tx) -> tx.tokens().any())).isTrue();
        assertThat(read((Tx tx) -> tx.tokens().all())).hasSize(1);
    }

    @Test
    void secretsAreReplacedAndDeletedByName() {
        write(tx -> {
            tx.secrets().put("mail.password", bytes("one"), T0);
            tx.secrets().put("mail.password", bytes("two"), T0);
            tx.secrets().put("api.key", bytes("k"), T0);
            return null;
        });
        assertThat(new String(read((Tx tx) -> tx.secrets().get("mail.password")).orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("two");
        assertThat(read((Tx tx) -> tx.secrets().names())).containsExactly("api.key", "mail.password");
        assertThat(write((Tx tx) -> tx.secrets().delete("api.key"))).isTrue();
        assertThat(write((Tx tx) -> tx.secrets().delete("api.key"))).isFalse();
    }

    @Test
    void theDerivedStateIsComparedAndClearedAsAWhole() {
        write(tx -> {
            tx.runs().save(run("r1", "p", "", "ev-1", RunStatus.RUNNING));
            tx.runs().save(run("r2", "p", "", "ev-2", RunStatus.RUNNING));
            tx.work().add(new WorkItem(new WorkKey("r1", "a", 0), WorkKind.STEP, T0, 0));
            return null;
        });
        var rows = read(tx -> tx.derived().rows(Set.of("r2")));
        assertThat(rows.get("runs")).hasSize(1);
        assertThat(rows.get("work")).hasSize(1);
        write(tx -> {
            tx.derived().clear(Set.of("r2"));
            return null;
        });
        assertThat(read((Tx tx) -> tx.runs().ids())).containsExactly("r2");
        assertThat(read((Tx tx) -> tx.work().due(T0, 10))).isEmpty();
    }

    @Test
    void nodesAreSeenWithTheWorkTheyHoldAndForgottenWhenLongSilent() {
        write(tx -> {
            tx.nodes().seen("node-1-a", T0, T0);
            tx.nodes().seen("node-1-a", T0, T0.plusSeconds(5));
            tx.nodes().seen("node-2-b", T0, T0.minusSeconds(600));
            tx.work().add(new WorkItem(new WorkKey("r1", "a", 0), WorkKind.STEP, T0, 0));
            tx.work().add(new WorkItem(new WorkKey("r2", "a", 0), WorkKind.STEP, T0, 0));
            tx.work().lease(new WorkKey("r1", "a", 0), "node-1-a/1", T0.plusSeconds(60));
            tx.work().lease(new WorkKey("r2", "a", 0), "node-1-ab/1", T0.plusSeconds(60));
            return null;
        });
        var alive = read((Tx tx) -> tx.nodes().seenSince(T0.minusSeconds(30), T0.plusSeconds(6)));
        assertThat(alive).hasSize(1);
        assertThat(alive.getFirst().name()).isEqualTo("node-1-a");
        assertThat(alive.getFirst().seenAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(alive.getFirst().holding()).isEqualTo(1);
        assertThat(write((Tx tx) -> tx.nodes().forgetBefore(T0))).isEqualTo(1);
    }

    @Test
    void aNodeThatStoppedIsNoLongerAlive() {
        write(tx -> {
            tx.nodes().seen("node-1-a", T0, T0);
            tx.nodes().seen("node-2-b", T0, T0);
            tx.nodes().left("node-1-a");
            return null;
        });
        assertThat(read((Tx tx) -> tx.nodes().seenSince(T0.minusSeconds(30), T0)))
                .extracting(NodeInfo::name)
                .containsExactly("node-2-b");
    }

    @Test
    void aStatefulAgentsMailboxIsHandledInOrderOneMessageAtATime() {
        var empty = new InstanceStore.Sealed("json", bytes("{}"));
        for (int i = 1; i <= 3; i++) {
            int n = i;
            var message = new InstanceStore.Outgoing(
                    "m" + n,
                    "assistant",
                    "acme",
                    "event",
                    "note",
                    new InstanceStore.Sealed("json", bytes("{\"n\":" + n + "}")),
                    T0,
                    T0);
            assertThat(write((Tx tx) -> tx.instances().deliver(message, empty, T0)))
                    .isTrue();
        }
        var again = new InstanceStore.Outgoing("m1", "assistant", "acme", "event", "note", empty, T0, T0);
        assertThat(write((Tx tx) -> tx.instances().deliver(again, empty, T0)))
                .as("an id seen before")
                .isFalse();

        var due = write((Tx tx) -> tx.instances().due(T0, 10));
        assertThat(due).containsExactly(new InstanceStore.Due("assistant", "acme"));
        assertThat(write((Tx tx) -> tx.instances().lease(due.getFirst(), "node-a/1", T0.plusSeconds(60), T0)))
                .isTrue();
        assertThat(write((Tx tx) -> tx.instances().lease(due.getFirst(), "node-b/1", T0.plusSeconds(60), T0)))
                .as("one handler at a time")
                .isFalse();
        var head = read((Tx tx) -> tx.instances().head("assistant", "acme", T0)).orElseThrow();
        assertThat(head.id()).isEqualTo("m1");
        write((Tx tx) -> {
            tx.instances().handled(head, new InstanceStore.Sealed("json", bytes("{\"seen\":1}")), T0, 100, false);
            return null;
        });
        assertThat(read((Tx tx) -> tx.instances().head("assistant", "acme", T0))
                        .orElseThrow()
                        .id())
                .isEqualTo("m2");
        var instance =
                read((Tx tx) -> tx.instances().instance("assistant", "acme")).orElseThrow();
        assertThat(instance.handled()).isEqualTo(1);
        assertThat(instance.queued()).isEqualTo(2);
        assertThat(new String(
                        read((Tx tx) -> tx.instances().state("assistant", "acme"))
                                .orElseThrow()
                                .bytes(),
                        StandardCharsets.UTF_8))
                .isEqualTo("{\"seen\":1}");
        assertThat(read((Tx tx) -> tx.instances().messages("assistant", "acme", 10)))
                .hasSize(3);
        assertThat(write((Tx tx) -> tx.instances().forget("acme"))).isEqualTo(1);
    }

    @Test
    void aMessageGivenUpOnIsQueuedAgainOrSkippedAnEndedInstanceDropsTheRestAndInstancesAreRestored() {
        var empty = new InstanceStore.Sealed("json", bytes("{}"));
        for (String id : List.of("m1", "m2", "m3")) {
            var message = new InstanceStore.Outgoing(
                    id, "assistant", "acme", "event", "note", new InstanceStore.Sealed("json", bytes("{}")), T0, T0);
            write((Tx tx) -> tx.instances().deliver(message, empty, T0));
        }
        var first =
                read((Tx tx) -> tx.instances().head("assistant", "acme", T0)).orElseThrow();
        write((Tx tx) -> {
            tx.instances().failed(first, "broken", Optional.empty(), T0);
            return null;
        });
        assertThat(read((Tx tx) -> tx.instances().message("m1")).orElseThrow().status())
                .isEqualTo(dev.aios.kernel.MessageStatus.FAILED);
        assertThat(read((Tx tx) -> tx.instances().instance("assistant", "acme"))
                        .orElseThrow()
                        .failed())
                .isEqualTo(1);

        var edited = new InstanceStore.Sealed("json", bytes("{\"fixed\":true}"));
        write((Tx tx) -> {
            tx.instances().requeue(first, Optional.of(edited), T0.plusSeconds(1));
            return null;
        });
        var again = read((Tx tx) -> tx.instances().head("assistant", "acme", T0.plusSeconds(1)))
                .orElseThrow();
        assertThat(again.id()).as("back at its place in arrival order").isEqualTo("m1");
        assertThat(new String(again.body().bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"fixed\":true}");
        var instance =
                read((Tx tx) -> tx.instances().instance("assistant", "acme")).orElseThrow();
        assertThat(instance.failed()).isZero();
        assertThat(instance.lastMessage()).isEmpty();
        assertThat(instance.nextDue()).contains(T0);

        var after = new InstanceStore.Sealed("json", bytes("{\"seen\":1}"));
        write((Tx tx) -> {
            tx.instances().handled(again, after, T0.plusSeconds(2), 100, false);
            return null;
        });
        assertThat(read((Tx tx) -> tx.instances().message("m1")).orElseThrow().after())
                .as("a handled message keeps the state it left")
                .hasValueSatisfying(s -> assertThat(s.bytes()).isEqualTo(after.bytes()));
        var second = read((Tx tx) -> tx.instances().head("assistant", "acme", T0.plusSeconds(2)))
                .orElseThrow();
        write((Tx tx) -> {
            tx.instances().failed(second, "broken", Optional.empty(), T0.plusSeconds(3));
            tx.instances().skip(second, T0.plusSeconds(4));
            return null;
        });
        assertThat(read((Tx tx) -> tx.instances().message("m2")).orElseThrow().status())
                .isEqualTo(dev.aios.kernel.MessageStatus.SKIPPED);

        var third = read((Tx tx) -> tx.instances().head("assistant", "acme", T0.plusSeconds(4)))
                .orElseThrow();
        var late =
                new InstanceStore.Outgoing("m4", "assistant", "acme", "later", "later", empty, T0, T0.plusSeconds(60));
        write((Tx tx) -> tx.instances().deliver(late, empty, T0));
        write((Tx tx) -> {
            tx.instances().handled(third, after, T0.plusSeconds(5), 100, true);
            return null;
        });
        var ended =
                read((Tx tx) -> tx.instances().instance("assistant", "acme")).orElseThrow();
        assertThat(ended.endedAt()).contains(T0.plusSeconds(5));
        assertThat(ended.nextDue()).isEmpty();
        assertThat(read((Tx tx) -> tx.instances().message("m4")).orElseThrow().status())
                .isEqualTo(dev.aios.kernel.MessageStatus.DROPPED);
        var afterEnd = new InstanceStore.Outgoing("m5", "assistant", "acme", "event", "note", empty, T0, T0);
        assertThat(write((Tx tx) -> tx.instances().deliver(afterEnd, empty, T0)))
                .isTrue();
        assertThat(read((Tx tx) -> tx.instances().message("m5")).orElseThrow().status())
                .as("a message to an ended instance")
                .isEqualTo(dev.aios.kernel.MessageStatus.DROPPED);
        assertThat(read((Tx tx) -> tx.instances().due(T0.plusSeconds(120), 10))).isEmpty();

        assertThat(read((Tx tx) -> tx.instances().orphans())).isEmpty();
        write((Tx tx) -> {
            tx.instances().receipt("k1", "assistant", "globex", Json.object(), T0);
            return null;
        });
        assertThat(read((Tx tx) -> tx.instances().orphans()))
                .containsExactly(new InstanceStore.Due("assistant", "globex"));
        write((Tx tx) -> {
            tx.instances()
                    .restore(new InstanceStore.Restored(
                            "assistant",
                            "globex",
                            after,
                            3,
                            1,
                            T0,
                            T0.plusSeconds(9),
                            Optional.of("g3"),
                            Optional.of(T0.plusSeconds(9)),
                            Optional.empty()));
            return null;
        });
        var restored =
                read((Tx tx) -> tx.instances().instance("assistant", "globex")).orElseThrow();
        assertThat(restored.handled()).isEqualTo(3);
        assertThat(restored.lastMessage()).contains("g3");
        assertThat(read((Tx tx) -> tx.instances().orphans())).isEmpty();
    }

    @Test
    void extensionsGetAHandleInsideTheStoresTransactions() {
        var storage = store.extensions();
        storage.write(
                h -> h.update("INSERT INTO secrets (name, value, updated_at) VALUES (?, ?, ?)", "x", bytes("v"), T0));
        assertThat(storage.read((dev.aios.kernel.spi.Handle h) -> h.count("SELECT COUNT(*) FROM secrets")))
                .isEqualTo(1);
        assertThatThrownBy(() -> storage.write(h -> {
                    h.update("DELETE FROM secrets");
                    throw new IllegalStateException("undo");
                }))
                .hasMessage("undo");
        assertThat(storage.read((dev.aios.kernel.spi.Handle h) -> h.count("SELECT COUNT(*) FROM secrets")))
                .isEqualTo(1);
    }

    @Test
    void aScratchStoreIsEmptyAndApart() {
        write(tx -> tx.journal().append(entry("r1", 1)));
        try (var scratch = store.scratch()) {
            assertThat(scratch.read((Tx tx) -> tx.journal().runIds())).isEmpty();
            scratch.write(tx -> tx.journal().append(entry("s1", 1)));
            assertThat(scratch.read((Tx tx) -> tx.journal().runIds())).containsExactly("s1");
        }
        assertThat(read((Tx tx) -> tx.journal().runIds())).containsExactly("r1");
    }

    @Test
    void purgingAfterADeleteSucceeds() throws Exception {
        write(tx -> {
            tx.secrets().put("a", bytes("x"), T0);
            return null;
        });
        write(tx -> tx.secrets().delete("a"));
        assertThat(store.purge().get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(store.commits().units()).isGreaterThanOrEqualTo(2);
    }

    /** The same store opened again: after the process restarted, or as another node that shares it. */
    protected abstract Store reopen();

    /** The journal as the kernel appends through it, with a master key of its own. */
    static RunJournal journal(Store store) {
        var keys = new SubjectKeys(store, new dev.aios.kernel.TestClock(), MasterKey.of(new byte[32]));
        return new RunJournal(keys, new FeedHub());
    }

    /** A step's completion, and the next one scheduled: one unit's entries, as a worker's. */
    static List<JournalEntry> stepDone(int step) {
        return List.of(
                new StepStarted("s" + step, 0, 1, "worker", false),
                new StepCompleted(
                        "s" + step,
                        0,
                        Json.object().put("in", step),
                        Json.object().put("out", step),
                        Optional.of("agent@1"),
                        "s" + (step + 1)),
                new StepScheduled("s" + (step + 1), 0, StepKind.AGENT, T0));
    }

    /** Appends {@code entries} to run {@code runId} in one unit, loading it as the engine does. */
    static void append(Store store, RunJournal journal, String runId, List<JournalEntry> entries) {
        store.write(tx -> {
            var state = journal.load(tx, runId).orElseGet(() -> RunFold.empty(runId));
            journal.append(tx, state, T0.plusSeconds(state.seq), entries);
            return null;
        });
    }

    /** The run's state as the writer holds it (in memory, on a store that keeps it there), as JSON. */
    static String held(Store store, RunJournal journal, String runId) {
        return store.write(tx -> Json.text(journal.load(tx, runId).orElseThrow()));
    }

    /** The run's state as a read transaction loads it: its row, and its journal after the row's JSON. */
    static String cold(Store store, RunJournal journal, String runId) {
        return store.read(tx -> Json.text(journal.load(tx, runId).orElseThrow()));
    }

    /** The run's row as stored: its JSON state and the number of its last entry. */
    static RunStore.Stored row(Store store, String runId) {
        return store.read(tx -> tx.runs().load(runId)).orElseThrow();
    }

    @Test
    void aRunWhoseStoredStateIsBehindItsJournalIsLoadedAsTheWriterHoldsIt() {
        var journal = journal(store);
        append(
                store,
                journal,
                "r1",
                List.of(
                        new RunStarted("p", "1", "acme", Json.object().put("id", "ev-1")),
                        new StepScheduled("s0", 0, StepKind.AGENT, T0)));
        var first = row(store, "r1");
        assertThat(first.state().seq)
                .as("a run's first save stores the run before its first entry")
                .isZero();
        assertThat(first.lastSeq()).isEqualTo(2);
        assertThat(cold(store, journal, "r1")).isEqualTo(held(store, journal, "r1"));
        assertThat(read((Tx tx) -> tx.runs().startedBy("ev-1", "p")))
                .as("the first save sets the row's columns")
                .containsExactly("r1");
        assertThat(read((Tx tx) -> tx.runs().idsOf("acme"))).containsExactly("r1");
        for (int step = 0; step < 4; step++) {
            append(store, journal, "r1", stepDone(step));
        }
        var row = row(store, "r1");
        assertThat(row.lastSeq()).isEqualTo(14);
        assertThat(row.state().seq)
                .as("the units of a running run wrote only the row's columns")
                .isZero();
        String held = held(store, journal, "r1");
        assertThat(cold(store, journal, "r1")).isEqualTo(held);
        assertThat(read((Tx tx) -> tx.runs().find(RunQuery.all(), 10)))
                .singleElement()
                .satisfies(summary -> {
                    assertThat(summary.currentStep()).contains("s4");
                    assertThat(summary.updatedAt()).isEqualTo(T0.plusSeconds(11));
                });

        assertThatThrownBy(() -> store.write(tx -> {
                    var state = journal.load(tx, "r1").orElseThrow();
                    journal.append(tx, state, T0, stepDone(4));
                    throw new IllegalStateException("the unit fails after appending");
                }))
                .hasMessageContaining("the unit fails");
        assertThat(held(store, journal, "r1"))
                .as("a unit rolled back left nothing")
                .isEqualTo(held);

        store = reopen();
        var reopened = journal(store);
        assertThat(held(store, reopened, "r1")).as("opened again").isEqualTo(held);

        // Parked: the row's JSON is whole, so a parked run is read without its journal.
        append(store, reopened, "r1", List.of(new TimerSet("s4", 0, Json.object(), T0.plusSeconds(3600))));
        assertThat(row(store, "r1").behind()).isFalse();
        assertThat(row(store, "r1").state().status).isEqualTo(RunStatus.WAITING);
        append(
                store,
                journal,
                "r1",
                List.of(
                        new StepCompleted("s4", 0, Json.object(), Json.object(), Optional.empty(), "s5"),
                        new StepScheduled("s5", 0, StepKind.AGENT, T0)));
        for (int step = 5; step < 25; step++) {
            append(store, reopened, "r1", stepDone(step));
            row = row(store, "r1");
            assertThat(row.lastSeq() - row.state().seq)
                    .as("how far the stored JSON is behind, after step " + step)
                    .isLessThan(RunStore.WHOLE_EVERY);
            assertThat(cold(store, reopened, "r1")).isEqualTo(held(store, reopened, "r1"));
        }
        append(store, reopened, "r1", List.of(new RunCompleted()));
        assertThat(row(store, "r1").behind())
                .as("a completed run's last unit writes only the row's columns")
                .isTrue();
        assertThat(read((Tx tx) -> reopened.load(tx, "r1")).orElseThrow().status)
                .isEqualTo(RunStatus.COMPLETED);
        assertThat(read((Tx tx) -> tx.runs().find(RunQuery.all(), 10)))
                .singleElement()
                .satisfies(summary -> assertThat(summary.status()).isEqualTo(RunStatus.COMPLETED));
        assertThat(cold(store, reopened, "r1")).isEqualTo(held(store, reopened, "r1"));
    }

    @Test
    void aRunThatFailedAfterUnitsThatWroteOnlyItsColumnsIsReportedWithItsError() {
        var journal = journal(store);
        append(
                store,
                journal,
                "r-failing",
                List.of(
                        new RunStarted("p", "1", "acme", Json.object().put("id", "ev-failing")),
                        new StepScheduled("s0", 0, StepKind.AGENT, T0)));
        for (int step = 0; step < 3; step++) {
            append(store, journal, "r-failing", stepDone(step));
        }
        assertThat(row(store, "r-failing").behind()).isTrue();
        append(store, journal, "r-failing", List.of(new JournalEntry.RunFailed("the agent gave up")));
        // The report reads the error from the stored JSON: an ended run's is whole.
        assertThat(read((Tx tx) -> tx.reports().failedRuns(T0, 10)))
                .containsExactly(new ReportStore.Failure("r-failing", "the agent gave up"));
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
