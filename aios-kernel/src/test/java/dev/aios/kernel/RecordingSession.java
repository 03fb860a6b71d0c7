package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Event;
import dev.aios.kernel.internal.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the journal recorders share ({@link JournalRecorder}, {@link GraphJournalRecorder}): a kernel
 * on a test clock in a data directory of its own, the runs its events started, and saving them as
 * one recording ({@link RecordingWriter}).
 */
abstract class RecordingSession {
    @TempDir
    Path temp;

    final TestClock clock = new TestClock();
    Kernel kernel;
    Path data;
    final List<String> runs = new ArrayList<>();

    /**
     * Starts a kernel on the new data directory {@code name}, with {@code playbooks} (file name to
     * YAML) and what {@code configure} adds (agents, extensions).
     */
    void start(String name, Map<String, String> playbooks, UnaryOperator<Kernel.Builder> configure) throws Exception {
        data = temp.resolve(name);
        var dir = temp.resolve(name + "-playbooks");
        Files.createDirectories(dir);
        for (var playbook : playbooks.entrySet()) {
            Files.writeString(dir.resolve(playbook.getKey()), playbook.getValue());
        }
        kernel = configure
                .apply(Kernel.builder().dataDirectory(data).clock(clock))
                .playbookDirectory(dir)
                .pollInterval(Duration.ofMillis(10))
                .build();
        assertThat(kernel.lastLoad().refused()).isEmpty();
        kernel.start();
        runs.clear();
    }

    String send(String type, String subject, JsonNode data) {
        var accepted = kernel.send(
                new Event(UUID.randomUUID().toString(), type, subject, "test", clock.instant(), data, "", ""));
        accepted.started().forEach(runs::add);
        return accepted.started().isEmpty() ? "" : accepted.started().getFirst();
    }

    String order(String type, String order, int amount) {
        return send(type, order, Json.object().put("order", order).put("amount", amount));
    }

    RunView until(String runId, Predicate<RunView> done) {
        return Eventually.await(
                () -> {
                    clock.advance(Duration.ofSeconds(1));
                    kernel.wake();
                    return kernel.run(runId);
                },
                done);
    }

    boolean hasOpenTask(String runId) {
        return kernel.tasks(false).stream().anyMatch(t -> t.runId().equals(runId));
    }

    TaskView openTask(String runId) {
        return kernel.tasks(false).stream()
                .filter(t -> t.runId().equals(runId))
                .findFirst()
                .orElseThrow();
    }

    ObjectNode recorded(String runId) {
        return RecordingWriter.recorded(kernel, runId);
    }

    /** Saves the runs started since the kernel started as the recording {@code name}. */
    void save(String name, String description) throws Exception {
        var recorded = new ArrayList<ObjectNode>();
        for (String run : runs) {
            recorded.add(recorded(run));
        }
        save(name, description, recorded);
    }

    /** Saves the runs as the recording {@code name}, with {@code decoded} as what they decoded to. */
    void save(String name, String description, List<ObjectNode> decoded) throws Exception {
        RecordingWriter.save(kernel, data, runs, name, description, decoded);
        kernel = null;
    }
}
