package dev.aios.kernel.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.Event;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.WorkStore.WorkItem;
import dev.aios.kernel.internal.store.postgres.PostgresStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL writer holds a batch's writes until its commit and sends them merged, one
 * statement a kind, and numbers the events it logs without asking: what the units see is what they
 * saw when each statement went on its own.
 */
class MergedWritesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private String url;
    private Store store;

    @BeforeEach
    void open() {
        url = TestPostgres.newDatabase();
        store = PostgresStore.open(url);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Event event(String id) {
        return new Event(id, "lead.received", "acme", "test", T0, Json.object().put("id", id), "corr", "cause");
    }

    private static OptionalLong log(Tx tx, String id) {
        return tx.events().append(event(id), "plain", new byte[] {1, 2, 3}, T0);
    }

    @Test
    void anEventLoggedTwiceInOneBatchIsLoggedOnceAndTheSecondIsADuplicate() {
        var first = store.write(tx -> log(tx, "e-1"));
        var both = store.write(tx -> List.of(log(tx, "e-2"), log(tx, "e-2"), log(tx, "e-1")));

        assertThat(first).hasValue(1);
        assertThat(both).containsExactly(OptionalLong.of(2), OptionalLong.empty(), OptionalLong.empty());
        long head = store.read(tx -> tx.events().head());
        List<EventStore.StoredEvent> logged = store.read(tx -> tx.events().after(0, 10));
        assertThat(head).isEqualTo(2);
        assertThat(logged).extracting(EventStore.StoredEvent::id).containsExactly("e-1", "e-2");
    }

    @Test
    void eventsLoggedThroughTwoNodesAreNumberedInTurnAndADuplicateOfTheOthersIsOneHereToo() {
        try (var other = PostgresStore.open(url)) {
            var here = store.write(tx -> log(tx, "e-1"));
            var there = other.write(tx -> log(tx, "e-2"));
            // Logged by the other node only: this node takes it for new, and the database says otherwise.
            var again = store.write(tx -> List.of(log(tx, "e-3"), log(tx, "e-2"), log(tx, "e-4")));

            assertThat(here).hasValue(1);
            assertThat(there).hasValue(2);
            assertThat(again).containsExactly(OptionalLong.of(3), OptionalLong.empty(), OptionalLong.of(4));
        }
        List<EventStore.StoredEvent> logged = store.read(tx -> tx.events().after(0, 10));
        assertThat(logged).extracting(EventStore.StoredEvent::id).containsExactly("e-1", "e-2", "e-3", "e-4");
    }

    @Test
    void textsAndBytesThatArraysQuoteComeBackAsTheyWereSent() {
        var awkward = List.of("NULL", "a\"quoted\" {braced}, \\back\\", "", " spaced ", "null", "übung ✓");
        byte[] bytes = {0, 1, (byte) 0xff, '\\', '"', '{', ',', '}'};
        store.write(tx -> {
            for (int i = 0; i < awkward.size(); i++) {
                var e = new Event(
                        "id-" + i + awkward.get(i),
                        "lead.received",
                        awkward.get(i),
                        "test",
                        T0,
                        Json.object(),
                        awkward.get(i),
                        "cause");
                tx.events().append(e, "plain", bytes, T0);
            }
            return null;
        });

        List<EventStore.StoredEvent> logged = store.read(tx -> tx.events().after(0, 10));
        assertThat(logged).extracting(EventStore.StoredEvent::subject).containsExactlyElementsOf(awkward);
        assertThat(logged).extracting(EventStore.StoredEvent::correlationId).containsExactlyElementsOf(awkward);
        assertThat(logged).allSatisfy(e -> assertThat(e.data()).containsExactly(bytes));
    }

    @Test
    void anEventIsNotLoggedWhenTheOtherIdWasAndIsWhenItWasNot() {
        // Logged through another node, so that this one's writer does not know it and finds out at commit.
        try (var other = PostgresStore.open(url)) {
            other.write(tx -> log(tx, "forgotten"));
        }

        var unless = store.write(tx -> List.of(
                tx.events().appendUnless("forgotten", event("e-1"), "plain", new byte[] {1}, T0),
                tx.events().appendUnless("never", event("e-2"), "plain", new byte[] {1}, T0)));

        assertThat(unless).containsExactly(OptionalLong.empty(), OptionalLong.of(2));
        boolean first = store.read(tx -> tx.events().logged("e-1"));
        boolean second = store.read(tx -> tx.events().logged("e-2"));
        assertThat(first).isFalse();
        assertThat(second).isTrue();
    }

    @Test
    void eventsLoggedByUnitsOfManyBatchesAreNumberedOneAfterTheOther() {
        var logged = new ArrayList<CompletableFuture<OptionalLong>>();
        for (int i = 0; i < 200; i++) {
            String id = "e-" + i;
            logged.add(store.submit(tx -> log(tx, id)));
        }
        var numbers = logged.stream()
                .map(CompletableFuture::join)
                .map(OptionalLong::getAsLong)
                .sorted()
                .toList();

        assertThat(numbers).hasSize(200).first().isEqualTo(1L);
        assertThat(numbers.getLast()).isEqualTo(200L);
        assertThat(numbers).doesNotHaveDuplicates();
        List<EventStore.StoredEvent> all = store.read(tx -> tx.events().after(0, 500));
        assertThat(all)
                .extracting(EventStore.StoredEvent::seq)
                .isSortedAccordingTo(Long::compare)
                .hasSize(200);
    }

    @Test
    void eachRunsRowsKeepTheOrderTheirUnitsWroteThemInWhenMerged() {
        var runs = List.of("r-1", "r-2", "r-3");
        var until = T0.plusSeconds(60);
        store.write(tx -> {
            for (String run : runs) {
                tx.work().add(new WorkItem(new WorkKey(run, "a", 0), WorkKind.STEP, T0, 0));
                tx.work().add(new WorkItem(new WorkKey(run, "b", 0), WorkKind.STEP, T0, 0));
            }
            // Leased, then leased again by others, the runs' statements interleaved.
            for (String owner : List.of("node/1", "node/2", "node/3")) {
                for (String run : runs) {
                    tx.work().lease(new WorkKey(run, "a", 0), owner, until);
                }
            }
            tx.work().remove(new WorkKey("r-2", "b", 0));
            return null;
        });

        for (String run : runs) {
            boolean held = store.read(tx -> tx.work().holds(new WorkKey(run, "a", 0), "node/3"));
            assertThat(held).as(run).isTrue();
        }
        // Free and due: the b items of r-1 and r-3; r-2's was removed.
        List<WorkItem> due = store.read(tx -> tx.work().due(T0, 10));
        assertThat(due)
                .extracting(item -> item.key().runId() + "/" + item.key().step())
                .containsExactlyInAnyOrder("r-1/b", "r-3/b");
    }
}
