package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Event;
import dev.aios.api.MemoryKind;
import dev.aios.api.Remember;
import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.RetentionReport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes sharing one PostgreSQL database: what is remembered through one is recalled through the other. */
class MemoryAcrossNodesTest {
    private static final String NOW_MILLIS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

    @RegisterExtension
    static final OnePostgres POSTGRES = new OnePostgres();

    @TempDir
    Path dir;

    @Test
    void anItemStoredThroughOneNodeIsRecalledThroughTheOtherWithinASecond() throws Exception {
        String url = POSTGRES.newDatabase("memory_nodes");
        var memoryA = MemoryExtension.of(MemorySettings.defaults());
        var memoryB = MemoryExtension.of(MemorySettings.defaults());
        try (var a = node(url, dir.resolve("a"), memoryA);
                var b = node(url, dir.resolve("b"), memoryB)) {
            // The second node's listener connects in the background; a first item shows it hears.
            memoryA.memory().remember(Remember.of(MemoryKind.NOTE, "acme", "warm-up note about the kickoff"));
            long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (memoryB.memory().recall("kickoff", 5).items().stream()
                    .noneMatch(hit -> hit.text().contains("kickoff"))) {
                assertThat(System.nanoTime())
                        .as("the first item reached the other node")
                        .isLessThan(until);
                Thread.sleep(20);
            }

            for (int i = 0; i < 5; i++) {
                String word = "zephyr" + i;
                long stored = System.nanoTime();
                memoryA.memory()
                        .remember(Remember.of(
                                MemoryKind.NOTE,
                                "acme",
                                "Acme wants the " + word + " palette for the spring campaign"));
                // Recall by meaning finds the earlier, similar notes at once: wait for this one's word.
                while (memoryB.memory().recall(word, 5).items().stream()
                        .noneMatch(hit -> hit.text().contains(word))) {
                    Thread.sleep(5);
                    // Generous for a loaded machine; the poll alone would give up to a second plus the work.
                    assertThat(Duration.ofNanos(System.nanoTime() - stored))
                            .as("item %d found through the other node", i)
                            .isLessThan(Duration.ofSeconds(10));
                }
            }
        }
    }

    @Test
    void changesEveryNodesIndexHasAreDroppedAndANodeAwayTooLongRebuildsItsIndex() throws Exception {
        String url = POSTGRES.newDatabase("memory_pruning");
        try (var a = open(url, dir.resolve("a"));
                var b = open(url, dir.resolve("b"))) {
            memory(a).remember(Remember.of(MemoryKind.NOTE, "acme", "Acme booked the zephyr workshop"));
            awaitFound(b, "zephyr");
            // The text is found before its vector is stored, which is a change of its own: b must
            // take it while still open (b closes first), or the change rightly stays listed for b.
            // So a stores the vector (its embedding waits for writes to pause), then b catches up.
            a.memory().settle(Duration.ofMinutes(1));
            b.memory().settle(Duration.ofMinutes(1));
        }
        // Both indexes committed on close: the change list is empty, and the mark says how far it went.
        assertThat(OnePostgres.count(url, "SELECT count(*) FROM memory_changes"))
                .isZero();
        long dropped = OnePostgres.count(url, "SELECT up_to FROM memory_changes_pruned");
        assertThat(dropped).isPositive();
        assertThat(OnePostgres.count(url, "SELECT count(*) FROM memory_followers"))
                .isEqualTo(2);

        // While b is stopped, what a stores stays listed for b.
        try (var a = open(url, dir.resolve("a"))) {
            memory(a).remember(Remember.of(MemoryKind.NOTE, "acme", "Acme asked about the quokka mascot"));
            awaitFound(a, "quokka");
        }
        assertThat(OnePostgres.count(url, "SELECT count(*) FROM memory_changes"))
                .isPositive();
        assertThat(OnePostgres.count(url, "SELECT up_to FROM memory_changes_pruned"))
                .isEqualTo(dropped);
        try (var b = open(url, dir.resolve("b"))) {
            awaitFound(b, "quokka");
        }
        assertThat(OnePostgres.count(url, "SELECT count(*) FROM memory_changes"))
                .isZero();

        // b is away longer than the others keep changes for it: they are dropped without it, and b,
        // back, rebuilds its index instead of missing them.
        try (var a = open(url, dir.resolve("a"))) {
            OnePostgres.update(url, "UPDATE memory_followers SET seen_at = 0");
            memory(a).remember(Remember.of(MemoryKind.NOTE, "acme", "Acme renamed the narwhal project"));
            awaitFound(a, "narwhal");
        }
        assertThat(OnePostgres.count(url, "SELECT count(*) FROM memory_followers"))
                .isEqualTo(1);
        assertThat(OnePostgres.count(url, "SELECT count(*) FROM memory_changes"))
                .isZero();
        try (var b = open(url, dir.resolve("b"))) {
            assertThat(found(b, "narwhal"))
                    .as("found through b right after its start")
                    .isTrue();
            assertThat(found(b, "quokka")).isTrue();
        }
    }

    @Test
    void everyNodeEmbedsButNoChunkIsEmbeddedTwice() throws Exception {
        String url = POSTGRES.newDatabase("memory_embedding");
        int items = 120;
        try (var a = open(url, dir.resolve("a"));
                var b = open(url, dir.resolve("b"))) {
            // Stored through both nodes at once, while both embedders look for chunks to embed.
            var through = new Node[] {a, b};
            try (var clients = Executors.newFixedThreadPool(4)) {
                var stored = new ArrayList<Future<?>>();
                for (int i = 0; i < items; i++) {
                    var node = through[i % 2];
                    String text = "Acme note " + i + " about the spring campaign";
                    stored.add(clients.submit(() -> memory(node).remember(Remember.of(MemoryKind.NOTE, "acme", text))));
                }
                for (var item : stored) {
                    item.get();
                }
            }
            assertThat(a.memory().settle(Duration.ofMinutes(2))).isTrue();
            assertThat(b.memory().settle(Duration.ofMinutes(2))).isTrue();
            long byA = a.memory().stats().embedding().embedded();
            long byB = b.memory().stats().embedding().embedded();
            assertThat(OnePostgres.count(url, "SELECT count(*) FROM memory_chunks WHERE embed = 1 AND vector IS NULL"))
                    .as("chunks left without a vector")
                    .isZero();
            long chunks = OnePostgres.count(url, "SELECT count(*) FROM memory_chunks WHERE embed = 1");
            assertThat(chunks).isGreaterThanOrEqualTo(items);
            assertThat(byA + byB)
                    .as("chunks embedded by a (%d) and b (%d), of %d", byA, byB, chunks)
                    .isEqualTo(chunks);
        }
        // Each node's index took every vector once: nothing is left listed for either.
        assertThat(OnePostgres.count(url, "SELECT count(*) FROM memory_changes"))
                .isZero();
    }

    @Test
    void chunksANodeClaimedAndLeftUnembeddedAreEmbeddedByAnotherOnceTheClaimLapses() throws Exception {
        String url = POSTGRES.newDatabase("memory_claims");
        try (var a = open(url, dir.resolve("a"))) {
            memory(a).remember(Remember.of(MemoryKind.NOTE, "acme", "Acme booked the zephyr workshop"));
        }
        // As a node leaves it that stopped in the middle of a batch: the chunk claimed for a few
        // seconds more, and no vector.
        long lapses = OnePostgres.count(url, "SELECT " + NOW_MILLIS + " + 8000");
        OnePostgres.update(url, "UPDATE memory_chunks SET model = NULL, vector = NULL, claimed_until = " + lapses);
        try (var b = open(url, dir.resolve("b"))) {
            memory(b).remember(Remember.of(MemoryKind.NOTE, "acme", "Acme asked about the quokka mascot"));
            long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (b.memory().stats().embedding().embedded() < 1) {
                assertThat(System.nanoTime()).as("b embeds what it stored").isLessThan(until);
                Thread.sleep(20);
            }
            // b's embedder has looked for chunks (oldest first): the one claimed was left to its claim.
            long claimedStill = OnePostgres.count(
                    url, "SELECT count(*) FROM memory_chunks WHERE vector IS NULL AND claimed_until = " + lapses);
            if (OnePostgres.count(url, "SELECT " + NOW_MILLIS) < lapses - 1_000) {
                assertThat(claimedStill)
                        .as("the chunk another node claimed, still waiting")
                        .isEqualTo(1);
            }
            assertThat(b.memory().settle(Duration.ofMinutes(1))).isTrue();
            assertThat(b.memory().stats().embedding().embedded()).isEqualTo(2);
            assertThat(OnePostgres.count(url, "SELECT count(*) FROM memory_chunks WHERE vector IS NULL"))
                    .isZero();
            assertThat(found(b, "zephyr")).isTrue();
        }
    }

    @Test
    void everyNodeCopiesTheKernelsFeedButNoNodeCopiesWhatAnotherDid() throws Exception {
        String url = POSTGRES.newDatabase("memory_feed");
        int events = 1_000;
        var positions = new ConcurrentLinkedQueue<Long>();
        try (var a = open(url, dir.resolve("a"));
                var b = open(url, dir.resolve("b"));
                var watcher = Executors.newSingleThreadExecutor()) {
            // Where the copy of the event log stands, read from outside while both nodes copy.
            var watching = new AtomicBoolean(true);
            var watched = watcher.submit(() -> {
                while (watching.get()) {
                    positions.add(OnePostgres.count(
                            url, "SELECT COALESCE(MAX(position), 0) FROM memory_feed WHERE source = 'event'"));
                    Thread.sleep(2);
                }
                return null;
            });
            var through = new Node[] {a, b};
            try (var clients = Executors.newFixedThreadPool(4)) {
                var sent = new ArrayList<Future<?>>();
                for (int i = 0; i < events; i++) {
                    var node = through[i % 2];
                    var event = new Event(
                            "note-" + i,
                            "note.seen",
                            "acme",
                            "test",
                            Instant.now(),
                            JsonNodeFactory.instance.objectNode().put("text", "note " + i),
                            "",
                            "");
                    sent.add(clients.submit(() -> node.kernel().send(event)));
                }
                for (var event : sent) {
                    event.get();
                }
            }
            assertThat(a.memory().settle(Duration.ofMinutes(1))).isTrue();
            assertThat(b.memory().settle(Duration.ofMinutes(1))).isTrue();
            watching.set(false);
            watched.get();
        }
        // A node copies from where the copy stands when it writes, never from where it read before
        // another node copied past it: the position only goes forward, and every event is copied.
        var seen = new ArrayList<>(positions);
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i))
                    .as("the position after %d", seen.get(i - 1))
                    .isGreaterThanOrEqualTo(seen.get(i - 1));
        }
        assertThat(OnePostgres.count(url, "SELECT count(*) FROM memory_items WHERE kind = 'event'"))
                .isEqualTo(events);
    }

    @Test
    void retentionRunOnTwoNodesAtOnceMergesADayIntoOneSummary() throws Exception {
        String url = POSTGRES.newDatabase("memory_retention");
        var now = new AtomicReference<>(Instant.now());
        InstantSource clock = now::get;
        var compact = new MemorySettings.Retention(Optional.empty(), Optional.empty(), Optional.of(Duration.ofDays(2)));
        var settings = MemorySettings.defaults()
                .withRetention(MemoryKind.EVENT, compact)
                .withRetention(MemoryKind.JOURNAL, compact);
        int events = 40;
        var reports = new ArrayList<RetentionReport>();
        try (var a = open(url, dir.resolve("a"), settings, clock);
                var b = open(url, dir.resolve("b"), settings, clock)) {
            for (int i = 0; i < events; i++) {
                a.kernel()
                        .send(new Event(
                                "visit-" + i,
                                "page.visited",
                                "acme",
                                "test",
                                now.get(),
                                JsonNodeFactory.instance.objectNode().put("page", "/pricing/" + i),
                                "",
                                ""));
            }
            assertThat(a.memory().settle(Duration.ofMinutes(1))).isTrue();
            assertThat(b.memory().settle(Duration.ofMinutes(1))).isTrue();
            assertThat(OnePostgres.count(url, "SELECT count(*) FROM memory_items WHERE kind = 'event'"))
                    .isEqualTo(events);

            // Two weeks later both nodes' retention runs at the same moment.
            now.set(now.get().plus(Duration.ofDays(14)));
            var start = new CountDownLatch(1);
            try (var runs = Executors.newFixedThreadPool(2)) {
                var retained = new ArrayList<Future<RetentionReport>>();
                for (var node : new Node[] {a, b}) {
                    retained.add(runs.submit(() -> {
                        start.await();
                        return node.memory().retain();
                    }));
                }
                start.countDown();
                for (var report : retained) {
                    reports.add(report.get());
                }
            }
        }
        // The day's events (all at one moment of the clock) became one summary, written by one node.
        assertThat(OnePostgres.count(url, "SELECT count(*) FROM memory_items WHERE kind = 'event'"))
                .isZero();
        assertThat(OnePostgres.count(url, "SELECT count(*) FROM memory_items WHERE kind = 'summary'"))
                .isEqualTo(1);
        assertThat(reports.stream().mapToLong(RetentionReport::summaries).sum())
                .as("summaries the two runs report")
                .isEqualTo(1);
    }

    /** A node: its kernel and its memory, which embeds what it stored before it stops. */
    private record Node(Kernel kernel, MemoryExtension memory) implements AutoCloseable {
        @Override
        public void close() {
            memory.settle(Duration.ofMinutes(1));
            kernel.close();
        }
    }

    private static Node open(String url, Path data) throws IOException {
        return open(url, data, MemorySettings.defaults(), InstantSource.system());
    }

    private static Node open(String url, Path data, MemorySettings settings, InstantSource clock) throws IOException {
        var memory = MemoryExtension.of(settings);
        return new Node(node(url, data, memory, clock), memory);
    }

    private static dev.aios.api.Memory memory(Node node) {
        return node.memory().memory();
    }

    private static boolean found(Node kernel, String word) {
        return memory(kernel).recall(word, 5).items().stream()
                .anyMatch(hit -> hit.text().contains(word));
    }

    private static void awaitFound(Node kernel, String word) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!found(kernel, word)) {
            assertThat(System.nanoTime()).as("'%s' found", word).isLessThan(until);
            Thread.sleep(20);
        }
    }

    private static Kernel node(String url, Path data, MemoryExtension memory) throws IOException {
        return node(url, data, memory, InstantSource.system());
    }

    private static Kernel node(String url, Path data, MemoryExtension memory, InstantSource clock) throws IOException {
        OnePostgres.sameMasterKey(data);
        var kernel = Kernel.builder()
                .dataDirectory(data)
                .database(url)
                .extension(memory)
                .clock(clock)
                .build();
        kernel.start();
        return kernel;
    }
}
