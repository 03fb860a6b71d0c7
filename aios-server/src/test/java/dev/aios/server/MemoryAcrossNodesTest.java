package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.MemoryKind;
import dev.aios.api.Remember;
import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes sharing one PostgreSQL database: what is remembered through one is recalled through the other. */
class MemoryAcrossNodesTest {
    private static EmbeddedPostgres postgres;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @Test
    void anItemStoredThroughOneNodeIsRecalledThroughTheOtherWithinASecond() throws Exception {
        String url = newDatabase();
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

    private static Kernel node(String url, Path data, MemoryExtension memory) throws IOException {
        Files.createDirectories(data);
        var first = data.resolveSibling("a").resolve("master.key");
        if (!data.endsWith("a")) {
            // Every node has the same master key.
            Files.copy(first, data.resolve("master.key"));
        }
        var kernel = Kernel.builder()
                .dataDirectory(data)
                .database(url)
                .extension(memory)
                .build();
        kernel.start();
        return kernel;
    }

    private static String newDatabase() throws SQLException {
        try (var c = postgres.getPostgresDatabase().getConnection();
                var st = c.createStatement()) {
            st.execute("CREATE DATABASE memory_nodes");
        }
        return postgres.getJdbcUrl("postgres", "memory_nodes");
    }
}
