package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Agent;
import dev.aios.api.Event;
import dev.aios.api.Memory;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.TestClock;
import dev.aios.memory.internal.InProcessEmbedder;
import dev.aios.memory.spi.Embedder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** A real kernel with real memory (in-process model, Lucene index) in a temporary directory. */
final class MemoryHarness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One model for every test: loading it takes a second. */
    private static final Embedder MODEL = new InProcessEmbedder();

    /** The shared model, which memory may close without closing it for the other tests. */
    static Embedder model() {
        return new Embedder() {
            @Override
            public String model() {
                return MODEL.model();
            }

            @Override
            public List<float[]> embed(List<String> texts) {
                return MODEL.embed(texts);
            }
        };
    }

    final Path dir;
    final TestClock clock;
    final MemorySettings settings;
    final List<Agent<?, ?>> agents;
    Kernel kernel;
    MemoryExtension memory;

    MemoryHarness(Path dir, TestClock clock, MemorySettings settings, List<Agent<?, ?>> agents, String playbook)
            throws Exception {
        this.dir = dir;
        this.clock = clock;
        this.settings = settings;
        this.agents = agents;
        Files.createDirectories(dir.resolve("playbooks"));
        if (!playbook.isEmpty()) {
            Files.writeString(dir.resolve("playbooks/test.yaml"), playbook);
        }
        start();
    }

    static MemoryHarness start(Path dir) throws Exception {
        return new MemoryHarness(dir, new TestClock(), MemorySettings.defaults(), List.of(), "");
    }

    void start() {
        memory = MemoryExtension.of(settings, model());
        var builder = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .extension(memory)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10));
        agents.forEach(builder::agent);
        kernel = builder.build();
        assertThat(kernel.lastLoad().refused()).isEmpty();
        kernel.start();
    }

    void restart() {
        close();
        start();
    }

    Memory operator() {
        return memory.memory();
    }

    /** Sends an event about {@code subject} and returns the runs it started. */
    List<String> send(String type, String subject, String data) throws Exception {
        JsonNode json = JSON.readTree(data);
        return kernel.send(
                        new Event(UUID.randomUUID().toString(), type, subject, "test", clock.instant(), json, "", ""))
                .started();
    }

    void settle() {
        assertThat(memory.settle(Duration.ofSeconds(60))).as("memory settled").isTrue();
    }

    @Override
    public void close() {
        if (kernel != null) {
            kernel.close();
            kernel = null;
        }
    }
}
