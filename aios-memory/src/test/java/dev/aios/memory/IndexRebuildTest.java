package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import dev.aios.kernel.Kernel;
import dev.aios.testing.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A large index that must be filled again is rebuilt in the background with progress in the log and
 * its state for {@code /health}; memory opens at once, stores meanwhile, and refuses searches until
 * the index is complete; a rebuild cut short is started again, never taken as complete.
 */
class IndexRebuildTest {
    /** More than memory rebuilds before it opens, so that the rebuild runs in the background. */
    private static final int ITEMS = 4_000;

    @TempDir
    Path dir;

    private Kernel kernel;
    private MemoryExtension memory;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger indexer = (Logger) LoggerFactory.getLogger("dev.aios.memory.internal.Indexer");

    @BeforeEach
    void listen() {
        logs.start();
        indexer.addAppender(logs);
    }

    @AfterEach
    void stop() {
        indexer.detachAppender(logs);
        if (kernel != null) {
            kernel.close();
        }
    }

    @Test
    void anIndexOfAnOlderFormatIsRebuiltInTheBackgroundWithProgressWhileStoringGoesOn() throws Exception {
        start();
        storeItems();
        kernel.close();
        markFormat("2");
        logs.list.clear();

        start();

        var state = memory.indexState();
        assertThat(state.phase()).isEqualTo(IndexState.Phase.REBUILDING);
        assertThat(state.reason()).isEqualTo("format 2 → " + "3");
        assertThat(state.total()).isEqualTo(ITEMS + 1);
        assertThatThrownBy(() -> memory.memory().recall(MemoryQuery.of("teal logo")))
                .isInstanceOf(MemoryRebuildingException.class)
                .hasMessageContaining("being rebuilt (format 2 → 3)")
                .hasMessageContaining("of " + (ITEMS + 1) + " chunks");
        memory.memory()
                .remember(Remember.of(
                        MemoryKind.NOTE, "acme", "Stored while the index was rebuilt: a saffron" + " banner."));

        assertThat(memory.settle(Duration.ofSeconds(60))).isTrue();

        assertThat(memory.indexState()).isEqualTo(IndexState.ready(ITEMS + 2));
        assertThat(memory.memory().recall(MemoryQuery.of("teal logo")).items())
                .extracting(MemoryHit::text)
                .first()
                .asString()
                .contains("teal field");
        assertThat(memory.memory().recall(MemoryQuery.of("saffron banner")).items())
                .extracting(MemoryHit::text)
                .first()
                .asString()
                .contains("saffron");
        var lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines)
                .contains("memory index: rebuilding from the database (format 2 → 3): " + (ITEMS + 1)
                        + " chunks; searches wait until it is ready");
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .matches("memory index: rebuilt from the database \\(format 2 → 3\\): 400[12] chunks in"
                        + " \\d+\\.\\d s \\(\\d+ chunks/s\\)"));
    }

    @Test
    void aRebuildCutShortIsStartedAgainOnTheNextStartNotTakenAsComplete() throws Exception {
        start();
        storeItems();
        kernel.close();
        DerivedIndexTest.deleteTree(dir.resolve("data/memory-index"));

        // The rebuild is held at its first line until memory closes, so that the close always cuts it short.
        var held = new Holding("memory index: rebuilding from the database");
        held.start();
        indexer.addAppender(held);
        start();
        assertThat(held.reached.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(memory.indexState().reason()).isEqualTo("the index is missing");
        var closing = Thread.ofPlatform().start(kernel::close);
        // Inside stopPurging, the index has told its rebuild to stop and waits for it.
        Poll.until(
                "memory's close to tell the rebuild to stop",
                () -> java.util.Arrays.stream(closing.getStackTrace())
                        .anyMatch(frame -> frame.getMethodName().equals("stopPurging")),
                stopping -> stopping,
                Duration.ofSeconds(30));
        held.release.countDown();
        closing.join(Duration.ofSeconds(60));
        assertThat(closing.isAlive()).isFalse();
        indexer.detachAppender(held);
        kernel = null;

        assertThat(logs.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).contains("stopped at").contains("the next start rebuilds it"));
        try (var index = FSDirectory.open(dir.resolve("data/memory-index"))) {
            assertThat(SegmentInfos.readLatestCommit(index).getUserData()).containsEntry("format", "incomplete");
        }

        start();
        assertThat(memory.indexState().reason()).isEqualTo("an earlier rebuild did not finish");
        assertThat(memory.settle(Duration.ofSeconds(60))).isTrue();
        assertThat(memory.indexState()).isEqualTo(IndexState.ready(ITEMS + 1));
        assertThat(memory.stats().index().chunks()).isEqualTo(ITEMS + 1);
        assertThat(memory.memory().recall(MemoryQuery.of("widget 3999")).items())
                .extracting(MemoryHit::text)
                .first()
                .asString()
                .contains("widget 3999");
    }

    @Test
    void aRebuildAskedForRunsOnceAndTheIndexAnswersAfter() throws Exception {
        start();
        storeItems();

        var asked = memory.reindex();
        var again = memory.reindex();

        assertThat(asked.phase()).isEqualTo(IndexState.Phase.REBUILDING);
        assertThat(asked.reason()).isEqualTo("asked for");
        assertThat(again.reason()).isEqualTo("asked for");
        assertThat(memory.settle(Duration.ofSeconds(60))).isTrue();
        assertThat(memory.indexState()).isEqualTo(IndexState.ready(ITEMS + 1));
        assertThat(logs.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .filteredOn(line -> line.startsWith("memory index: rebuilt from the database (asked for)"))
                .hasSize(1);
        assertThat(memory.memory().recall(MemoryQuery.of("teal logo")).items()).isNotEmpty();
    }

    @Test
    void aStepThatRecallsWhileTheIndexIsRebuiltWaitsForItAndFindsWhatItNeeds() throws Exception {
        start();
        storeItems();
        memory.memory()
                .remember(Remember.of(MemoryKind.NOTE, "acme", "Acme wants the mascot drawn in risograph saffron."));
        kernel.close();
        markFormat("2");

        start();
        assertThat(memory.indexState().rebuilding()).isTrue();
        var run = kernel.send(new dev.aios.api.Event(
                        "ask-1",
                        "question.asked",
                        "acme",
                        "test",
                        java.time.Instant.now(),
                        MemoryHarness.JSON.readTree("{\"need\": \"risograph saffron mascot\"}"),
                        "",
                        ""))
                .started()
                .getFirst();

        Eventually.await(() -> kernel.run(run).status().isFinal());
        var view = kernel.run(run);
        assertThat(view.status()).isEqualTo(dev.aios.kernel.RunStatus.COMPLETED);
        assertThat(view.steps().getFirst().attempts())
                .as("it waited, it did not fail")
                .hasSize(1);
        assertThat(view.steps().getFirst().output().path("items").toString()).isNotEqualTo("[]");
    }

    private void start() throws Exception {
        memory = MemoryExtension.of(MemorySettings.defaults().withEmbeddings(new MemorySettings.Embeddings.None()));
        java.nio.file.Files.createDirectories(dir.resolve("playbooks"));
        java.nio.file.Files.writeString(dir.resolve("playbooks/look.yaml"), LookUp.PLAYBOOK);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(memory)
                .playbookDirectory(dir.resolve("playbooks"))
                .agent(new LookUp())
                .pollInterval(Duration.ofMillis(10))
                .build();
        kernel.start();
    }

    private void storeItems() {
        var items = new ArrayList<Remember>();
        for (int n = 0; n < ITEMS; n++) {
            items.add(Remember.of(
                    MemoryKind.NOTE, "subject-" + n % 50, "Note " + n + " about widget " + n + " and its parts."));
            if (items.size() == 1_000) {
                memory.rememberAll(List.copyOf(items));
                items.clear();
            }
        }
        memory.memory()
                .remember(Remember.of(MemoryKind.DOCUMENT, "acme", "Brand guidelines: the logo sits on a teal field."));
    }

    /** Makes the committed index look written by a version whose index format was {@code format}. */
    private void markFormat(String format) throws Exception {
        try (var directory = FSDirectory.open(dir.resolve("data/memory-index"));
                var writer = new IndexWriter(
                        directory,
                        new IndexWriterConfig(new StandardAnalyzer()).setOpenMode(IndexWriterConfig.OpenMode.APPEND))) {
            var data = new HashMap<>(SegmentInfos.readLatestCommit(directory).getUserData());
            data.put("format", format);
            writer.setLiveCommitData(data.entrySet());
            writer.commit();
        }
    }

    /** Holds the thread that logs a line starting with {@code line} there, once, until released. */
    private static final class Holding extends ch.qos.logback.core.UnsynchronizedAppenderBase<ILoggingEvent> {
        private final String line;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        Holding(String line) {
            this.line = line;
        }

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getFormattedMessage().startsWith(line) && reached.getCount() > 0) {
                reached.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
