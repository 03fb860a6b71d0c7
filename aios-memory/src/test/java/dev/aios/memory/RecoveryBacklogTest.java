package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.Event;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart that finds many timers due: memory lets the runs have the writer first, and still
 * copies everything they did.
 */
class RecoveryBacklogTest {
    static final String PLAYBOOK = """
            name: wake
            description: Waits until the time its event names, then says it woke.
            trigger:
              event: test.wake
            steps:
              - id: sleep
                wait:
                  until: event.data.at
              - id: woke
                emit:
                  type: test.woke
                  data:
                    at: event.data.at
            """;

    /** Four times the two workers' places make a backlog; this is several times that. */
    static final int RUNS = 40;

    @TempDir
    Path dir;

    TestClock clock = new TestClock();
    Kernel kernel;
    MemoryExtension memory;

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
    }

    @Test
    void everyRunThatMovesOnAfterARestartWithABacklogEndsUpInMemory() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/wake.yaml"), PLAYBOOK);
        start();
        var at = clock.instant().plus(Duration.ofHours(1));
        var runs = new ArrayList<String>();
        for (int i = 0; i < RUNS; i++) {
            var data = MemoryHarness.JSON.createObjectNode().put("at", at.toString());
            runs.addAll(
                    kernel.send(new Event("wake-" + i, "test.wake", "s-" + i, "test", clock.instant(), data, "", ""))
                            .started());
        }
        Eventually.await(() -> runs.stream().allMatch(run -> kernel.run(run).status() == RunStatus.WAITING));
        assertThat(memory.settle(Duration.ofSeconds(60))).isTrue();
        kernel.close();

        clock.advance(Duration.ofHours(2));
        start();

        Eventually.await(() -> runs.stream().allMatch(run -> kernel.run(run).status() == RunStatus.COMPLETED));
        Eventually.await(() -> remembersEveryWake(runs));
        long copied = episodicItems();
        assertThat(memory.settle(Duration.ofSeconds(60))).isTrue();
        assertThat(episodicItems()).as("nothing copied twice, nothing left").isEqualTo(copied);
    }

    @Test
    void memoryBeginsItsBackgroundPassOnlyOnceTheKernelStarts() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/wake.yaml"), PLAYBOOK);
        build();
        var data =
                MemoryHarness.JSON.createObjectNode().put("at", clock.instant().toString());
        kernel.send(new Event("wake-0", "test.wake", "s-0", "test", clock.instant(), data, "", ""));
        // The background pass looks at least every second: two seconds without a start copy nothing.
        Thread.sleep(2_000);
        assertThat(episodicItems()).as("copied before the kernel started").isZero();

        kernel.start();

        Eventually.await(() -> episodicItems() > 0);
    }

    private void start() {
        build();
        kernel.start();
    }

    private void build() {
        memory = MemoryExtension.of(MemorySettings.defaults(), MemoryHarness.model());
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .extension(memory)
                .playbookDirectory(dir.resolve("playbooks"))
                .concurrency(2)
                .pollInterval(Duration.ofMillis(10))
                .build();
    }

    /** Whether memory holds, for every run, the journal entry of its step after the wait. */
    private boolean remembersEveryWake(List<String> runs) {
        for (int i = 0; i < runs.size(); i++) {
            var run = runs.get(i);
            var hits = memory.memory()
                    .recall(MemoryQuery.of("StepCompleted woke")
                            .withKinds(MemoryKind.JOURNAL)
                            .withSubject("s-" + i))
                    .items();
            if (hits.stream().noneMatch(hit -> hit.text().startsWith("StepCompleted woke (run " + run + ")"))) {
                return false;
            }
        }
        return true;
    }

    private long episodicItems() {
        return memory.stats().tiers().get(MemoryKind.Tier.EPISODIC).items();
    }
}
