package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Event;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.FeedHub;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.MasterKey;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.journal.SubjectKeys;
import dev.aios.kernel.internal.run.Projector;
import dev.aios.kernel.internal.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that loops on events for months: 100,000 journal entries. Loading it reads one row of
 * bounded size, replaying it starts from its latest snapshot, and it goes on working.
 */
class LongRunIT {
    static final String PLAYBOOK = """
            name: monitor
            trigger: monitor.started
            steps:
              - id: listen
                await: { event: ping, timeout: P30D, onTimeout: end }
                next: handle
              - id: handle
                agent: remind
                input: { text: steps.listen.data.text }
                next: listen
            """;

    @TempDir
    Path dir;

    TestClock clock = new TestClock();

    Kernel open() {
        var kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .agent(new KernelTest.Reminder())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10))
                .build();
        kernel.start();
        return kernel;
    }

    String start(Kernel kernel, String subject) {
        String run = kernel.send(new Event(
                        UUID.randomUUID().toString(),
                        "monitor.started",
                        subject,
                        "test",
                        clock.instant(),
                        JsonNodeFactory.instance.objectNode(),
                        "",
                        ""))
                .started()
                .getFirst();
        Eventually.await(() -> kernel.run(run).status(), s -> s == RunStatus.WAITING);
        return run;
    }

    @Test
    void aRunWithAHundredThousandEntriesLoadsLikeAFreshOne() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/monitor.yaml"), PLAYBOOK);
        String longRun;
        String freshRun;
        try (var kernel = open()) {
            longRun = start(kernel, "long");
            freshRun = start(kernel, "fresh");
        }
        long entries = appendMonthsOfHistory(longRun, 100_000);

        try (var kernel = open()) {
            var fresh = kernel.run(freshRun);
            var loaded = kernel.run(longRun);
            assertThat(loaded.journalEntries()).isGreaterThanOrEqualTo(entries);
            assertThat(loaded.steps()).extracting(StepView::id).containsExactlyInAnyOrder("listen", "handle");

            // What loading reads does not grow with history.
            int freshSize = Json.text(fresh).length();
            int longSize = Json.text(loaded).length();
            assertThat(longSize).isLessThan(freshSize * 3);
            long freshNanos = time(() -> kernel.run(freshRun));
            long longNanos = time(() -> kernel.run(longRun));
            System.out.printf(
                    "loading a run: fresh %d µs, 100k entries %d µs (ratio %.2f)%n",
                    freshNanos / 1000, longNanos / 1000, (double) longNanos / freshNanos);
            assertThat(longNanos).isLessThan(freshNanos * 20);

            // Replay starts from the newest snapshot that matches the journal.
            var replay = kernel.replay(longRun, false);
            assertThat(replay.divergences()).isEmpty();
            assertThat(replay.fromSnapshot()).isGreaterThan(entries - Projector.SNAPSHOT_EVERY);
            assertThat(replay.entries()).isLessThanOrEqualTo(Projector.SNAPSHOT_EVERY);

            // And the run still works.
            kernel.send(new Event(
                    UUID.randomUUID().toString(),
                    "ping",
                    "long",
                    "test",
                    clock.instant(),
                    JsonNodeFactory.instance.objectNode().put("text", "still here"),
                    "",
                    ""));
            var moved = Eventually.await(
                    () -> kernel.run(longRun),
                    r -> r.context().path("handle").path("text").asText().contains("still here")
                            && r.status() != RunStatus.RUNNING);
            assertThat(moved.status()).isEqualTo(RunStatus.WAITING);
        }
    }

    private static long time(Runnable load) {
        for (int i = 0; i < 20; i++) {
            load.run();
        }
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            load.run();
        }
        return (System.nanoTime() - start) / 50;
    }

    /** Appends await → handle → await cycles, as months of pings would, straight into the journal. */
    private long appendMonthsOfHistory(String runId, int atLeast) {
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            var journal =
                    new RunJournal(new SubjectKeys(store, clock, MasterKey.of(dir.resolve("data"))), new FeedHub());
            long appended = 0;
            while (appended < atLeast) {
                appended += store.write(tx -> {
                    var state = journal.load(tx, runId).orElseThrow();
                    var entries = new ArrayList<JournalEntry>();
                    for (int cycle = 0; cycle < 150; cycle++) {
                        int it = state.entered.get("listen") - 1;
                        int handled = state.entered.getOrDefault("handle", 0);
                        var input = state.records.get("listen").input;
                        var event = Json.object().put("type", "ping").put("subject", "long");
                        event.putObject("data").put("text", "ping " + it);
                        var out = Json.object().put("text", "reminded: long #" + handled);
                        entries.clear();
                        entries.add(
                                new JournalEntry.StepCompleted("listen", it, input, event, Optional.empty(), "handle"));
                        entries.add(new JournalEntry.StepScheduled(
                                "handle", handled, dev.aios.kernel.StepKind.AGENT, clock.instant()));
                        entries.add(new JournalEntry.StepStarted("handle", handled, 1, "history", false));
                        entries.add(new JournalEntry.StepCompleted(
                                "handle", handled, event.path("data"), out, Optional.of("remind@1.0.0"), "listen"));
                        entries.add(new JournalEntry.StepScheduled(
                                "listen", it + 1, dev.aios.kernel.StepKind.AWAIT, clock.instant()));
                        entries.add(new JournalEntry.StepStarted("listen", it + 1, 1, "history", false));
                        entries.add(new JournalEntry.AwaitStarted(
                                "listen", it + 1, input, "ping", clock.instant().plus(Duration.ofDays(30))));
                        journal.append(tx, state, clock.instant(), List.copyOf(entries));
                    }
                    return 150L * 7;
                });
            }
            return appended;
        }
    }
}
