package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The set-up that kernel tests of one playbook share: a kernel over a fresh data directory that
 * loads the playbook, the event that starts a run of it, and the wait for the run to get somewhere.
 */
final class TestKernels {
    private TestKernels() {}

    /**
     * A builder of a kernel whose data directory is {@code dir/data} and whose only playbook,
     * {@code yaml}, is written to {@code dir/playbooks/NAME.yaml}; it polls every 20 ms unless told
     * otherwise.
     */
    static Kernel.Builder withPlaybook(Path dir, String name, String yaml) {
        try {
            Files.createDirectories(dir.resolve("playbooks"));
            Files.writeString(dir.resolve("playbooks").resolve(name + ".yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20));
    }

    /** Builds the kernel and checks that it loaded every playbook (it is not started). */
    static Kernel open(Kernel.Builder builder) {
        var kernel = builder.build();
        assertThat(kernel.lastLoad().refused()).isEmpty();
        return kernel;
    }

    /** Sends an event of {@code type} about {@code subject}, with no data, and returns the run it started. */
    static String start(Kernel kernel, String type, String subject, Instant at) {
        return kernel.send(new Event(
                        UUID.randomUUID().toString(),
                        type,
                        subject,
                        "test",
                        at,
                        JsonNodeFactory.instance.objectNode(),
                        "",
                        ""))
                .started()
                .getFirst();
    }

    /**
     * Polls the run until {@code done} accepts it or {@code limit} passes, doing {@code meanwhile}
     * before each look (moving a test clock on, say); returns the run as last seen.
     */
    static RunView awaitRun(Kernel kernel, String runId, Predicate<RunView> done, Runnable meanwhile, Duration limit) {
        return Eventually.await(
                () -> {
                    meanwhile.run();
                    return kernel.run(runId);
                },
                done,
                limit);
    }

    /** Polls the run until {@code done} accepts it, for at most 15 seconds. */
    static RunView awaitRun(Kernel kernel, String runId, Predicate<RunView> done) {
        return awaitRun(kernel, runId, done, () -> {}, Duration.ofSeconds(15));
    }
}
