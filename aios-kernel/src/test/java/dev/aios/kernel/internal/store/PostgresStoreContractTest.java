package dev.aios.kernel.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.kernel.RunStatus;
import dev.aios.kernel.internal.store.WorkStore.WorkItem;
import dev.aios.kernel.internal.store.postgres.PostgresStore;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** The store contract on PostgreSQL, and what a store shared by several nodes must do besides. */
class PostgresStoreContractTest extends StoreContract {
    private String url;

    @Override
    protected Store open() {
        url = TestPostgres.newDatabase();
        return PostgresStore.open(url);
    }

    @Override
    protected Store reopen() {
        store.close();
        return PostgresStore.open(url);
    }

    @Test
    void theWritersCommitsWaitForTheDiskEvenOnAServerThatSaysTheyNeedNot() throws Exception {
        // The test server, like zonky's default, does not wait for the disk at commit.
        try (var c = DriverManager.getConnection(url);
                var st = c.createStatement();
                var rs = st.executeQuery("SHOW synchronous_commit")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("off");
        }
        assertThat(synchronousCommit(store)).isEqualTo("on");

        // A stronger setting of the database is the operator's and is kept.
        String replicated = TestPostgres.newDatabase();
        try (var c = DriverManager.getConnection(replicated);
                var st = c.createStatement()) {
            st.execute("ALTER DATABASE " + c.getCatalog() + " SET synchronous_commit = remote_apply");
        }
        try (var other = PostgresStore.open(replicated)) {
            assertThat(synchronousCommit(other)).isEqualTo("remote_apply");
        }
    }

    private static String synchronousCommit(Store store) {
        return store.write(tx -> tx.handle()
                .queryOne("SELECT current_setting('synchronous_commit') AS s", row -> row.text("s"))
                .orElseThrow());
    }

    @Test
    void theLeasesOfANodeThatStoppedSayingItIsAliveAreFreedAndNoOthers() {
        var keys = List.of("node-me", "node-alive", "node-dead", "node-never").stream()
                .map(node -> new WorkKey("r-" + node, "step", 0))
                .toList();
        store.write(tx -> {
            tx.nodes().seen("node-me", T0, T0.plusSeconds(100));
            tx.nodes().seen("node-alive", T0, T0.plusSeconds(95));
            tx.nodes().seen("node-dead", T0, T0.plusSeconds(10));
            for (var key : keys) {
                tx.work().add(new WorkItem(key, WorkKind.STEP, T0, 0));
                tx.work().lease(key, key.runId().substring(2) + "/7", T0.plusSeconds(900));
            }
            return null;
        });
        assertThat(store.write((Tx tx) -> tx.work().releaseAbandoned("node-me", T0.plusSeconds(70))))
                .isEqualTo(2);
        var due = store.read(tx -> tx.work().due(T0.plusSeconds(101), 10));
        assertThat(due).extracting(item -> item.key().runId()).containsExactlyInAnyOrder("r-node-dead", "r-node-never");
    }

    @Test
    void aRunStartedBeforeItsTriggerHadAColumnIsStillFoundByItsEvent() throws Exception {
        String older = TestPostgres.newDatabase();
        Flyway.configure()
                .dataSource(older, null, null)
                .locations("classpath:db/postgresql")
                .target("6")
                .load()
                .migrate();
        try (var connection = DriverManager.getConnection(older);
                var statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO runs (id, playbook, version, subject, status, created_at,"
                    + " updated_at, last_seq, last_checksum, state) VALUES ('r-old', 'onboarding', '1', 'acme',"
                    + " 'running', 0, 0, 1, '', '{\"id\":\"r-old\",\"trigger\":{\"id\":\"ev-old\"}}')");
        }
        try (var migrated = PostgresStore.open(older)) {
            assertThat(migrated.read((Tx tx) -> tx.runs().startedBy("ev-old", "onboarding")))
                    .containsExactly("r-old");
            assertThat(migrated.read((Tx tx) -> tx.runs().startedBy("ev-new", "onboarding")))
                    .isEmpty();
        }
    }

    @Test
    void twoNodesTakingTurnsOnARunEachLoadItAsTheOtherLeftIt() {
        var journal = journal(store);
        append(
                store,
                journal,
                "r1",
                java.util.List.of(
                        new dev.aios.kernel.internal.journal.JournalEntry.RunStarted(
                                "p",
                                "1",
                                "acme",
                                dev.aios.kernel.internal.Json.object().put("id", "ev-1")),
                        new dev.aios.kernel.internal.journal.JournalEntry.StepScheduled(
                                "s0", 0, dev.aios.kernel.StepKind.AGENT, T0)));
        try (var other = PostgresStore.open(url)) {
            var otherJournal = journal(other);
            for (int step = 0; step < 6; step++) {
                var node = step % 2 == 0 ? store : other;
                append(node, step % 2 == 0 ? journal : otherJournal, "r1", stepDone(step));
                String held = held(node, step % 2 == 0 ? journal : otherJournal, "r1");
                assertThat(held(step % 2 == 0 ? other : store, step % 2 == 0 ? otherJournal : journal, "r1"))
                        .as("the other node's writer after step " + step)
                        .isEqualTo(held);
                assertThat(cold(other, otherJournal, "r1")).isEqualTo(held);
            }
            var row = row(store, "r1");
            assertThat(row.lastSeq()).isEqualTo(20);
            assertThat(row.behind())
                    .as("the nodes wrote only the row's columns")
                    .isTrue();
        }
    }

    @Test
    void aNodeHearsOfTheCommitsOfAnotherAtOnceButNotOfItsOwn() throws Exception {
        try (var other = PostgresStore.open(url)) {
            var heard = new CountDownLatch(1);
            var own = new java.util.concurrent.atomic.AtomicInteger();
            other.onCommitElsewhere(heard::countDown);
            store.onCommitElsewhere(own::incrementAndGet);
            // The listeners connect in the background: write until the other node hears.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!heard.await(200, TimeUnit.MILLISECONDS)) {
                assertThat(System.nanoTime()).as("heard within 30 s").isLessThan(deadline);
                store.write(
                        tx -> tx.events().append(event("e-" + System.nanoTime(), "ping", ""), "json", bytes("{}"), T0));
            }
            assertThat(own).as("a node is not woken by its own commits").hasValue(0);
        }
    }

    @Test
    void aNodeWritingARunSeesWhatAnotherNodeWroteToItSinceItsLastWrite() {
        try (var other = PostgresStore.open(url)) {
            // Each node's writer works on the run in turn; each reads it after the other changed it.
            store.write(tx -> {
                tx.runs().save(run("r1", "onboarding", "acme", "ev-1", RunStatus.RUNNING));
                return null;
            });
            for (int round = 1; round <= 3; round++) {
                String by = "other-" + round;
                moveOn(other, "r1", by);
                assertThat(current(store, "r1"))
                        .as("the first node's writer, after the other wrote")
                        .isEqualTo(by);
                String mine = "mine-" + round;
                moveOn(store, "r1", mine);
                // A transaction of the first node that does not touch the run comes between.
                store.write(tx -> tx.events().append(event("e-" + mine, "ping", ""), "json", bytes("{}"), T0));
                assertThat(current(other, "r1"))
                        .as("the other node's writer, after the first wrote")
                        .isEqualTo(mine);
            }
            // A write of the other node, then one of the first that reads nothing, then a read.
            moveOn(other, "r1", "last");
            store.write(tx -> tx.events().append(event("e-last", "ping", ""), "json", bytes("{}"), T0));
            assertThat(current(store, "r1")).isEqualTo("last");
        }
    }

    /** Moves run {@code runId} on to step {@code step} through the writer of {@code node}. */
    private static void moveOn(Store node, String runId, String step) {
        node.write(tx -> {
            var state = tx.runs().load(runId).orElseThrow().state();
            state.current = step;
            tx.runs().save(state);
            return null;
        });
    }

    /** The step run {@code runId} is at, as the writer of {@code node} reads it. */
    private static String current(Store node, String runId) {
        return node.write((Tx tx) -> tx.runs().load(runId).orElseThrow().state().current);
    }

    /** The step run {@code runId} is at in the database, as a read (which keeps nothing) finds it. */
    private static String stored(Store node, String runId) {
        return node.read((Tx tx) -> tx.runs().load(runId).orElseThrow().state().current);
    }

    /**
     * Moves run {@code runId}'s stored state to step {@code step} behind every node's back, as no
     * writer of aios does: what a node reads afterwards shows whether it read the row again.
     */
    private void changeUnseen(String runId, String step) throws Exception {
        try (var c = DriverManager.getConnection(url);
                var st = c.prepareStatement("UPDATE runs SET state = jsonb_set(state::jsonb, '{current}',"
                        + " to_jsonb(CAST(? AS text)))::text WHERE id = ?")) {
            st.setString(1, step);
            st.setString(2, runId);
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
        assertThat(stored(store, runId)).isEqualTo(step);
    }

    @Test
    void aNodeForgetsOnlyTheRunsAnotherNodeChangedSinceItsLastWrite() throws Exception {
        store.write(tx -> {
            tx.runs().save(run("r1", "onboarding", "acme", "ev-1", RunStatus.RUNNING));
            tx.runs().save(run("r2", "onboarding", "acme", "ev-2", RunStatus.RUNNING));
            return null;
        });
        moveOn(store, "r1", "one");
        try (var other = PostgresStore.open(url)) {
            // Each node's first turn after the other began to write makes it forget everything once.
            moveOn(other, "r1", "other-0");
            moveOn(store, "r2", "two");
            moveOn(other, "r1", "other-1");
            changeUnseen("r2", "unseen");
            assertThat(current(store, "r1"))
                    .as("the run the other node changed, read again")
                    .isEqualTo("other-1");
            assertThat(current(store, "r2"))
                    .as("the run no node changed, as the first node keeps it")
                    .isEqualTo("two");
            // The other node's writer too keeps what the first did not change since.
            moveOn(other, "r1", "other-2");
            changeUnseen("r1", "unseen-1");
            store.write(tx -> tx.events().append(event("e-1", "ping", ""), "json", bytes("{}"), T0));
            assertThat(current(other, "r1")).isEqualTo("other-2");
        }
    }

    /**
     * The store starts run r1, the other node writes, then the store moves r1 on to step "one":
     * having seen the other's turn, the store looks at what the next turns say they changed.
     */
    private void looksAtWhatTheOtherSays(PostgresStore other) {
        store.write(tx -> {
            tx.runs().save(run("r1", "onboarding", "acme", "ev-1", RunStatus.RUNNING));
            return null;
        });
        other.write(tx -> tx.events().append(event("e-1", "ping", ""), "json", bytes("{}"), T0));
        moveOn(store, "r1", "one");
    }

    @Test
    void aNodeForgetsEverythingAfterAWriterThatDidNotSayWhatItChanged() throws Exception {
        try (var other = PostgresStore.open(url)) {
            looksAtWhatTheOtherSays(other);
        }
        changeUnseen("r1", "unseen");
        // A writer of an earlier version takes its turn as it did: it says nothing of what it changed.
        try (var c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))");
                st.execute("UPDATE writer_turns SET streak = 1, node = 'earlier' WHERE id = 1");
            }
            c.commit();
        }
        assertThat(current(store, "r1")).isEqualTo("unseen");
    }

    @Test
    void aNodeForgetsEverythingAfterAnotherNodesBatchThatRanItsUnitsOneByOne() throws Exception {
        try (var other = PostgresStore.open(url)) {
            looksAtWhatTheOtherSays(other);
            changeUnseen("r1", "unseen");
            // A unit that fails makes the writer run its batch again, each unit in a savepoint, so
            // that any of them may be undone: such a batch does not say which runs it changed.
            assertThatThrownBy(() -> other.write(tx -> {
                        tx.runs().save(run("r9", "onboarding", "acme", "ev-9", RunStatus.RUNNING));
                        throw new IllegalStateException("the unit fails");
                    }))
                    .hasMessageContaining("the unit fails");
            assertThat(current(store, "r1")).isEqualTo("unseen");
        }
    }

    @Test
    void aNodeWritingAloneSaysNothingAndOneWritingBesideAnotherSaysWhichRunsItChanged() throws Exception {
        for (int i = 0; i < 3; i++) {
            moveOnOrStart(store, "r1", "alone-" + i);
        }
        assertThat(changes()).as("what a node writing alone said").isEmpty();
        try (var other = PostgresStore.open(url)) {
            moveOnOrStart(other, "r3", "other");
            long before = turn();
            store.write(tx -> {
                tx.runs().save(run("r1", "onboarding", "acme", "ev-1", RunStatus.RUNNING));
                tx.runs().save(run("r2", "onboarding", "acme", "ev-2", RunStatus.RUNNING));
                return null;
            });
            assertThat(turn()).isEqualTo(before + 1);
            assertThat(changes()).last().isEqualTo("r1\nr2");
        }
    }

    /** Moves run {@code runId} on to {@code step} through the writer of {@code node}, starting it if need be. */
    private static void moveOnOrStart(Store node, String runId, String step) {
        node.write(tx -> {
            var state = tx.runs()
                    .load(runId)
                    .map(RunStore.Stored::state)
                    .orElseGet(() -> run(runId, "onboarding", "acme", "ev-" + runId, RunStatus.RUNNING));
            state.current = step;
            tx.runs().save(state);
            return null;
        });
    }

    /** What the writers said they changed, turn by turn. */
    private List<String> changes() throws Exception {
        return column("SELECT runs FROM writer_changes ORDER BY turn");
    }

    /** The writers' turns counted so far. */
    private long turn() throws Exception {
        return Long.parseLong(
                column("SELECT turn FROM writer_turns WHERE id = 1").getFirst());
    }

    /** The first column of what {@code sql} returns, row by row, as text. */
    private List<String> column(String sql) throws Exception {
        var values = new ArrayList<String>();
        try (var c = DriverManager.getConnection(url);
                var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    @Test
    void whatTheWritersSaidTheyChangedIsDroppedOnceNoWriterReadsIt() throws Exception {
        store.write(tx -> tx.events().append(event("e-1", "ping", ""), "json", bytes("{}"), T0));
        try (var c = DriverManager.getConnection(url);
                var st = c.createStatement()) {
            // Turns long past, as many writes leave them, and the count just before a drop.
            st.execute(
                    "INSERT INTO writer_changes (turn, node, runs) SELECT t, 'gone', 'r1' FROM generate_series(-300, -1) t");
            st.execute("UPDATE writer_turns SET turn = 1279 WHERE id = 1");
        }
        store.write(tx -> tx.events().append(event("e-2", "ping", ""), "json", bytes("{}"), T0));
        try (var c = DriverManager.getConnection(url);
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT MIN(turn), MAX(turn), COUNT(*) FROM writer_changes")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the oldest turn kept").isGreaterThanOrEqualTo(280);
            assertThat(rs.getLong(2)).as("this write's turn").isEqualTo(1280);
        }
    }

    @Test
    void aNodeCheckingItsLeaseSeesThatAnotherNodeTookItOverOrThatTheItemIsGone() {
        var key = new WorkKey("r1", "step", 0);
        store.write(tx -> {
            tx.work().add(new WorkItem(key, WorkKind.STEP, T0, 0));
            tx.work().lease(key, "node-a/1", T0.plusSeconds(30));
            return null;
        });
        assertThat(holds(store, key, "node-a/1")).isTrue();
        try (var other = PostgresStore.open(url)) {
            // The lease ran out and the other node took the item over.
            other.write(tx -> {
                tx.work().lease(key, "node-b/1", T0.plusSeconds(90));
                return null;
            });
            assertThat(holds(store, key, "node-a/1"))
                    .as("the first node, after the other leased the item")
                    .isFalse();
            assertThat(holds(other, key, "node-b/1")).isTrue();
            store.write(tx -> {
                tx.work().lease(key, "node-a/2", T0.plusSeconds(150));
                return null;
            });
            assertThat(holds(other, key, "node-b/1"))
                    .as("the other node, after the first leased the item again")
                    .isFalse();
            assertThat(holds(store, key, "node-a/2")).isTrue();
            store.write(tx -> {
                tx.work().remove(key);
                return null;
            });
            assertThat(holds(store, key, "node-a/2"))
                    .as("the first node, after it removed the item")
                    .isFalse();
        }
    }

    @Test
    void aNodeLookingForARunsDueWorkSeesWhatAnotherNodeChangedAndNothingOfAWriteUndone() {
        var first = new WorkKey("r1", "s1", 0);
        var second = new WorkKey("r1", "s2", 0);
        var third = new WorkKey("r1", "s3", 0);
        store.write(tx -> {
            tx.work().add(new WorkItem(first, WorkKind.STEP, T0, 0));
            return null;
        });
        assertThat(dueOf(store, "r1", T0)).containsExactly(first);
        try (var other = PostgresStore.open(url)) {
            other.write(tx -> {
                tx.work().remove(first);
                tx.work().add(new WorkItem(second, WorkKind.STEP, T0, 0));
                return null;
            });
            assertThat(dueOf(store, "r1", T0))
                    .as("after the other node moved the run on")
                    .containsExactly(second);
        }
        assertThatThrownBy(() -> store.write(tx -> {
                    tx.runs().load("no-such-run");
                    tx.work().add(new WorkItem(third, WorkKind.STEP, T0, 0));
                    assertThat(tx.work().due("r1", T0)).hasSize(2);
                    throw new IllegalStateException("undone");
                }))
                .hasMessageContaining("undone");
        assertThat(dueOf(store, "r1", T0)).as("after a write that was undone").containsExactly(second);
        store.write(tx -> {
            tx.work().lease(second, "node-a/1", T0.plusSeconds(30));
            return null;
        });
        assertThat(dueOf(store, "r1", T0.plusSeconds(10)))
                .as("while its lease lasts")
                .isEmpty();
        assertThat(dueOf(store, "r1", T0.plusSeconds(30)))
                .as("once its lease ran out")
                .containsExactly(second);
    }

    /** The keys of the run's due items, as the writer of {@code node} finds them in a unit that has been to the database. */
    private static List<WorkKey> dueOf(Store node, String runId, java.time.Instant at) {
        return node.write((Tx tx) -> {
            tx.runs().load("no-such-run");
            return tx.work().due(runId, at).stream().map(WorkItem::key).toList();
        });
    }

    /**
     * Whether {@code owner} holds the lease of {@code key}, as the writer of {@code node} checks it
     * in a unit that has been to the database already (the first round trip of a transaction is
     * what says whether another node wrote since).
     */
    private static boolean holds(Store node, WorkKey key, String owner) {
        return node.write((Tx tx) -> {
            tx.runs().load("no-such-run");
            return tx.work().holds(key, owner);
        });
    }

    @Test
    void twoNodesLeasingTheSameQueueNeverGetTheSameItem() throws Exception {
        int items = 200;
        store.write(tx -> {
            for (int i = 0; i < items; i++) {
                tx.work().add(new WorkItem(new WorkKey("r" + i, "step", 0), WorkKind.STEP, T0, 0));
            }
            return null;
        });
        var leased = Collections.synchronizedList(new ArrayList<WorkKey>());
        try (var other = PostgresStore.open(url);
                var pool = Executors.newFixedThreadPool(4)) {
            var go = new CountDownLatch(1);
            var futures = new ArrayList<java.util.concurrent.Future<?>>();
            for (var node : List.of(store, other, store, other)) {
                String owner = node == store ? "node-a/w" : "node-b/w";
                futures.add(pool.submit(() -> {
                    go.await();
                    while (true) {
                        var got = node.write(tx -> {
                            var due = tx.work().due(T0.plusSeconds(1), 7);
                            due.forEach(item -> tx.work().lease(item.key(), owner, T0.plusSeconds(600)));
                            return due;
                        });
                        if (got.isEmpty()) {
                            return null;
                        }
                        got.forEach(item -> leased.add(item.key()));
                    }
                }));
            }
            go.countDown();
            for (var future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(leased).hasSize(items).doesNotHaveDuplicates();
    }

    @Test
    void twoNodesAppendingToTheJournalGiveTheFeedOneOrderWithNothingSkipped() throws Exception {
        try (var other = PostgresStore.open(url);
                var pool = Executors.newFixedThreadPool(4)) {
            var futures = new ArrayList<java.util.concurrent.Future<?>>();
            for (int n = 0; n < 4; n++) {
                var node = n % 2 == 0 ? store : other;
                String run = "run-" + n;
                futures.add(pool.submit(() -> {
                    for (long seq = 1; seq <= 50; seq++) {
                        long s = seq;
                        node.write(tx -> tx.journal().append(entry(run, s)));
                    }
                    return null;
                }));
            }
            for (var future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        }
        var feed = store.read(tx -> tx.journal().after(0, 1000));
        assertThat(feed).hasSize(200);
        assertThat(feed)
                .extracting(JournalStore.Positioned::position)
                .isSorted()
                .doesNotHaveDuplicates();
    }
}
