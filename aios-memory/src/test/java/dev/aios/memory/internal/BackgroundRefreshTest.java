package dev.aios.memory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import dev.aios.kernel.Kernel;
import dev.aios.memory.MemorySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store leaves the index's refresh to the next search or to the background, which makes stores
 * searchable once they pause: a search a moment after a store finds the index refreshed already.
 */
class BackgroundRefreshTest {
    @TempDir
    Path dir;

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

    @Test
    void storesAreMadeSearchableInTheBackgroundOnceTheyPauseWithoutASearch() throws InterruptedException {
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(host -> {
                    memory = new MemoryService(
                            host, MemorySettings.defaults(), Optional.empty(), new ExtractiveSummarizer());
                    memory.start();
                })
                .build();
        kernel.start();
        memory.startCopying();
        for (int i = 0; i < 20; i++) {
            memory.remember(Remember.of(MemoryKind.NOTE, "acme", "Invoice " + i + " goes out on Friday."), "n" + i);
        }

        // Well before the background pass commits the index (every 5 s), which refreshes it too.
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (memory.indexStale()) {
            assertThat(System.nanoTime())
                    .as("the stores made searchable with no search asking")
                    .isLessThan(deadline);
            Thread.sleep(10);
        }
        assertThat(memory.recall(MemoryQuery.of("invoice friday").withK(50)).items())
                .extracting(MemoryHit::id)
                .hasSize(20);
    }
}
