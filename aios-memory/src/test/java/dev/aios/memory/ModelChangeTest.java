package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.aios.api.MemoryKind;
import dev.aios.api.Remember;
import dev.aios.kernel.Kernel;
import dev.aios.memory.spi.Embedder;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Vectors made by another model than the configured one are embedded again after a start, and only
 * then: a start with the model of the stored vectors leaves them as they are, including on a database
 * written before memory recorded its model.
 */
class ModelChangeTest {
    @TempDir
    Path dir;

    private Kernel kernel;
    private MemoryExtension memory;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger service = (Logger) LoggerFactory.getLogger("dev.aios.memory.internal.MemoryService");

    @BeforeEach
    void listen() {
        logs.start();
        service.addAppender(logs);
    }

    @AfterEach
    void stop() {
        service.detachAppender(logs);
        if (kernel != null) {
            kernel.close();
        }
    }

    @Test
    void vectorsOfAnotherModelAreEmbeddedAgainAndOnlyWhenTheModelChanged() throws Exception {
        start("model-a");
        memory.memory().remember(Remember.of(MemoryKind.NOTE, "acme", "Acme wants the logo in teal."));
        memory.memory().remember(Remember.of(MemoryKind.NOTE, "globex", "Globex pays invoices late."));
        settle("model-a");

        restart("model-a");
        assertThat(embeddedAgain()).isEmpty();
        assertThat(memory.stats().embedding().waiting()).isZero();

        restart("model-b");
        assertThat(embeddedAgain()).containsExactly("memory embeds 2 chunks again with model-b");
        settle("model-b");

        restart("model-b");
        assertThat(embeddedAgain()).isEmpty();

        restart("model-a");
        assertThat(embeddedAgain()).containsExactly("memory embeds 2 chunks again with model-a");
        settle("model-a");

        // A database from before memory recorded its model, holding vectors of another one.
        kernel.close();
        kernel = null;
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/aios.db"));
                var sql = db.createStatement()) {
            sql.executeUpdate("DELETE FROM memory_settings");
            sql.executeUpdate("UPDATE memory_chunks SET model = 'model-z' WHERE model IS NOT NULL");
        }
        logs.list.clear();
        start("model-a");
        assertThat(embeddedAgain()).containsExactly("memory embeds 2 chunks again with model-a");
        settle("model-a");
        restart("model-a");
        assertThat(embeddedAgain()).isEmpty();
    }

    private List<String> embeddedAgain() {
        return logs.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(line -> line.contains("chunks again"))
                .toList();
    }

    private void settle(String model) {
        assertThat(memory.settle(Duration.ofSeconds(60))).isTrue();
        var embedding = memory.stats().embedding();
        assertThat(embedding.model()).isEqualTo(model);
        assertThat(embedding.waiting()).isZero();
        assertThat(embedding.embedded()).isEqualTo(2);
    }

    private void restart(String model) {
        kernel.close();
        kernel = null;
        logs.list.clear();
        start(model);
    }

    private void start(String model) {
        var shared = MemoryHarness.model();
        memory = MemoryExtension.of(MemorySettings.defaults(), new Embedder() {
            @Override
            public String model() {
                return model;
            }

            @Override
            public List<float[]> embed(List<String> texts) {
                return shared.embed(texts);
            }
        });
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(memory)
                .pollInterval(Duration.ofMillis(10))
                .build();
        kernel.start();
    }
}
