package dev.aios.memory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import dev.aios.kernel.Kernel;
import dev.aios.memory.MemorySettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * When a write of the index's files fails (a full disk, an I/O error), Lucene closes the index's
 * writer and refuses every further change. Memory keeps what was stored in its tables (a store that
 * is the first of a segment, whose files it must create, says the index cannot be written; a later
 * one writes nothing until a search or the background makes it searchable), the background pass says
 * once what failed, and memory reopens the index from its last commit once the disk takes writes
 * again, without a restart.
 */
class IndexFailureTest {
    @TempDir
    Path dir;

    /** Whether the disk under the index refuses to create files. */
    final AtomicBoolean full = new AtomicBoolean();

    Kernel kernel;
    MemoryService memory;

    @AfterEach
    void stop() {
        if (memory != null) {
            memory.close();
        }
        if (kernel != null) {
            kernel.close();
        }
    }

    /** The index's directory on a disk that refuses to create files while {@link #full} is set. */
    final class FullDisk extends FilterDirectory {
        FullDisk(Directory files) {
            super(files);
        }

        @Override
        public IndexOutput createOutput(String name, IOContext context) throws IOException {
            refuseWhenFull(name);
            return super.createOutput(name, context);
        }

        @Override
        public IndexOutput createTempOutput(String prefix, String suffix, IOContext context) throws IOException {
            refuseWhenFull(prefix);
            return super.createTempOutput(prefix, suffix, context);
        }

        private void refuseWhenFull(String name) throws IOException {
            if (full.get()) {
                throw new IOException(name + ": No space left on device");
            }
        }
    }

    @Test
    void memoryGoesOnAfterTheIndexFailedToWriteOnceTheDiskTakesWritesAgain() {
        start();
        memory.remember(Remember.of(MemoryKind.NOTE, "acme", "The wordmark is teal."), "teal");
        assertThat(ids("wordmark")).containsExactly("teal");

        full.set(true);
        assertThatThrownBy(() -> memory.remember(
                        Remember.of(MemoryKind.NOTE, "acme", "The logo is orange, on a dark ground."), "orange"))
                .hasStackTraceContaining("No space left on device");
        assertThat(memory.stats().tiers().get(MemoryKind.Tier.SEMANTIC).items())
                .as("the item is kept in memory's tables")
                .isGreaterThanOrEqualTo(2);

        full.set(false);
        awaitTrue(() -> ids("logo").contains("orange"));
        assertThat(ids("wordmark")).as("what the index held before").containsExactly("teal");
        memory.remember(Remember.of(MemoryKind.NOTE, "bolt", "The invoice goes out on Friday."), "friday");
        assertThat(ids("invoice"))
                .as("a store after the failure is found when it returns")
                .containsExactly("friday");
    }

    @Test
    void aLastingFailureIsLoggedOnceWithItsStackNotEverySecondAndItsEndIsSaid() throws InterruptedException {
        var logger = (Logger) LoggerFactory.getLogger(MemoryService.class);
        var logs = new ListAppender<ILoggingEvent>();
        logs.start();
        logger.addAppender(logs);
        try {
            start();
            memory.remember(Remember.of(MemoryKind.NOTE, "acme", "The wordmark is teal."), "teal");
            // Searched, so that the next store is the first of a segment, whose files it must create.
            assertThat(ids("wordmark")).containsExactly("teal");
            full.set(true);
            assertThatThrownBy(() -> memory.remember(
                            Remember.of(MemoryKind.NOTE, "acme", "The logo is orange, on a dark ground."), "orange"))
                    .hasStackTraceContaining("No space left on device");
            awaitTrue(() -> errors(logs).size() >= 1);
            assertThat(errors(logs).getFirst().getThrowableProxy().getMessage())
                    .as("the cause, in the log")
                    .contains("No space left on device");
            Thread.sleep(3_500); // the loop tries again every second, failing each time
            assertThat(errors(logs))
                    .as("one error with its stack for a failure that lasts")
                    .hasSize(1)
                    .allSatisfy(e -> assertThat(e.getThrowableProxy()).isNotNull());

            full.set(false);
            awaitTrue(() -> ids("logo").contains("orange"));
            awaitTrue(() -> logs.list.stream()
                    .anyMatch(e -> e.getLevel() == Level.INFO
                            && e.getFormattedMessage().startsWith("memory caught up with the kernel again after")));
        } finally {
            logger.detachAppender(logs);
        }
    }

    private static List<ILoggingEvent> errors(ListAppender<ILoggingEvent> logs) {
        return List.copyOf(logs.list).stream()
                .filter(e -> e.getLevel() == Level.ERROR)
                .toList();
    }

    private void start() {
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(host -> {
                    memory = new MemoryService(
                            host,
                            MemorySettings.defaults(),
                            Optional.empty(),
                            new ExtractiveSummarizer(),
                            FullDisk::new);
                    memory.start();
                })
                .build();
        kernel.start();
        memory.startCopying();
    }

    private List<String> ids(String words) {
        return memory.recall(MemoryQuery.of(words)).items().stream()
                .map(MemoryHit::id)
                .toList();
    }

    private static void awaitTrue(BooleanSupplier done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 30 s").isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
