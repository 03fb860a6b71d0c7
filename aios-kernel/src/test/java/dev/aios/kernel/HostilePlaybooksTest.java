package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile playbooks and the events that trigger them (a condition that doubles a string, nesting
 * thousands deep, a 10 MB file, a billion laughs, a playbook that triggers itself) cost another
 * client nothing: its events keep being taken as quickly as before they arrived.
 */
class HostilePlaybooksTest {
    @TempDir
    Path dir;

    private Kernel kernel;
    private final java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newCachedThreadPool();

    @AfterEach
    void close() {
        clients.shutdownNow();
        if (kernel != null) {
            kernel.close();
        }
    }

    private void playbook(String file, String yaml) throws Exception {
        Files.writeString(dir.resolve("playbooks").resolve(file), yaml);
    }

    private static Event event(String type) {
        return new Event(
                UUID.randomUUID().toString(),
                type,
                "acme",
                "test",
                Instant.now(),
                JsonNodeFactory.instance.objectNode().put("text", "hello"),
                "",
                "");
    }

    /** Sends ping events until told to stop; how long each took, in milliseconds. */
    private CompletableFuture<List<Long>> client(AtomicBoolean stop) {
        return CompletableFuture.supplyAsync(
                () -> {
                    var took = new ArrayList<Long>();
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        var accepted = kernel.send(event("ping"));
                        took.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                        assertThat(accepted.started()).hasSize(1);
                    }
                    return took;
                },
                clients);
    }

    private static long slowest(List<Long> took) {
        return took.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    @Test
    void hostilePlaybooksAndTheirEventsDoNotHoldUpAnotherClient() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        playbook("echo.yaml", """
                name: echo
                trigger: ping
                steps:
                  - id: hold
                    wait: { for: 1h }
                """);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();

        // The same client, first alone, for a baseline on this machine as loaded as it is now.
        var stop = new AtomicBoolean();
        var alone = client(stop);
        Thread.sleep(3_000);
        stop.set(true);
        long baseline = slowest(alone.get(60, TimeUnit.SECONDS));

        stop.set(false);
        var besideHostile = client(stop);
        playbook("hog.yaml", """
                name: hog
                trigger:
                  event: hog.ping
                  when: "%s"
                steps:
                  - id: hold
                    wait: { for: 1h }
                """.formatted(HostileInputTest.doubling(30)));
        playbook("recursion.yaml", """
                name: recursion
                trigger:
                  event: deep.ping
                  when: "%s1%s == 1"
                steps:
                  - id: hold
                    wait: { for: 1h }
                """.formatted("(".repeat(3_000), ")".repeat(3_000)));
        playbook("nested.yaml", "name: nested\nsteps: " + "[".repeat(50_000) + "]".repeat(50_000) + "\n");
        playbook("big.yaml", "name: big\n# " + "x".repeat(10 * 1024 * 1024) + "\n");
        var laughs = new StringBuilder("name: laughs\nl0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) {
            laughs.append("l").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                laughs.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            laughs.append("]\n");
        }
        playbook("laughs.yaml", laughs.toString());
        playbook("loop.yaml", """
                name: loop
                trigger: loop.ping
                steps:
                  - id: again
                    emit: { type: loop.ping, data: {} }
                """);
        var load = kernel.reloadPlaybooks();
        for (int i = 0; i < 5; i++) {
            kernel.send(event("hog.ping"));
            kernel.send(event("deep.ping"));
            kernel.send(event("loop.ping"));
        }
        stop.set(true);
        var took = besideHostile.get(120, TimeUnit.SECONDS);

        assertThat(load.refused())
                .extracting(problem -> problem.toString())
                .anySatisfy(p -> assertThat(p).contains("nested.yaml"))
                .anySatisfy(p -> assertThat(p).contains("big.yaml"))
                .anySatisfy(p -> assertThat(p).contains("laughs.yaml"))
                .anySatisfy(p -> assertThat(p).contains("loop.yaml"));
        assertThat(load.loaded()).extracting(PlaybookInfo::name).contains("echo");
        assertThat(took).isNotEmpty();
        // 2 s, or three times the slowest event of the same client alone when the machine is so
        // loaded that even that took longer.
        assertThat(slowest(took))
                .as("the slowest of %d events beside hostile input, in ms (alone: %d ms)", took.size(), baseline)
                .isLessThanOrEqualTo(Math.max(2_000, 3 * baseline));
        assertThat(kernel.overview().storageFailure()).isEmpty();
    }
}
