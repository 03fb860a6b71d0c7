package dev.aios.memory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.MemoryKind;
import dev.aios.api.Remember;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.spi.Embedder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding worker is idle only once the batch it took is done: its chunks no longer wait in the
 * database from the moment their vectors are stored, but the worker counts them and tells the index
 * after that, and a caller waiting for it (memory's {@code settle}) must see both.
 */
class EmbeddingIdleTest {
    @TempDir
    Path dir;

    private Kernel kernel;
    private EmbeddingWorker worker;
    private final CountDownLatch telling = new CountDownLatch(1);
    private final CountDownLatch told = new CountDownLatch(1);

    @AfterEach
    void stop() {
        told.countDown();
        if (worker != null) {
            worker.close();
        }
        if (kernel != null) {
            kernel.close();
        }
    }

    @Test
    void notIdleWhileTheBatchItTookIsStillBeingCountedAndIndexed() throws Exception {
        ExtensionHost[] host = new ExtensionHost[1];
        var memory = MemoryExtension.of(MemorySettings.defaults());
        kernel = Kernel.builder()
                .dataDirectory(dir)
                .extension(memory)
                .extension(attached -> host[0] = attached)
                .build();
        kernel.start();
        memory.memory().remember(Remember.of(MemoryKind.NOTE, "acme", "Acme wants the logo in teal."));
        memory.memory().remember(Remember.of(MemoryKind.NOTE, "globex", "Globex pays invoices late."));
        // Memory runs without a model here; its two chunks are made to wait for this worker's.
        int waiting = host[0].storage().write(h -> h.update("UPDATE memory_chunks SET embed = 1, model = NULL"));
        assertThat(waiting).isEqualTo(2);

        var sealer = new Sealer(host[0].cipher());
        var vectors = new VectorStore(new ItemStore(host[0].storage(), sealer));
        worker = new EmbeddingWorker(
                vectors,
                new Embedder() {
                    @Override
                    public String model() {
                        return "model-a";
                    }

                    @Override
                    public List<float[]> embed(List<String> texts) {
                        return texts.stream()
                                .map(text -> new float[] {1, 0, 0, 0})
                                .toList();
                    }
                },
                sealer,
                () -> {
                    // Telling the index of the batch: held here until the test has looked.
                    telling.countDown();
                    try {
                        told.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        worker.start();
        worker.stored(2);

        assertThat(telling.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(vectors.waitingCount()).isZero();
        assertThat(worker.awaitIdle(Duration.ofMillis(300))).isFalse();

        told.countDown();
        assertThat(worker.awaitIdle(Duration.ofSeconds(30))).isTrue();
        assertThat(worker.embedded()).isEqualTo(2);
    }
}
