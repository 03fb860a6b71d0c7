package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Episodic memory follows the kernel; the index is derived and comes back when deleted. */
class DerivedIndexTest {
    @TempDir
    Path dir;

    MemoryHarness aios;

    @AfterEach
    void stop() {
        if (aios != null) {
            aios.close();
        }
    }

    @Test
    void everyEventAndJournalEntryIsSearchableBySubjectKindAndTime() throws Exception {
        aios = new MemoryHarness(
                dir, new TestClock(), MemorySettings.defaults(), List.of(new LookUp()), LookUp.PLAYBOOK);
        var run = aios.send("question.asked", "acme", "{\"need\": \"a wordmark in teal\"}")
                .getFirst();
        Eventually.await(() -> aios.kernel.run(run).status() == RunStatus.COMPLETED);
        aios.clock.advance(Duration.ofDays(1));
        var later = aios.clock.instant();
        var other = aios.send("question.asked", "bolt", "{\"need\": \"a wordmark in orange\"}")
                .getFirst();
        Eventually.await(() -> aios.kernel.run(other).status() == RunStatus.COMPLETED);
        aios.settle();
        var memory = aios.operator();

        var events = memory.recall(MemoryQuery.of("wordmark").withKinds(MemoryKind.EVENT))
                .items();
        assertThat(events).extracting(MemoryHit::subject).containsExactlyInAnyOrder("acme", "bolt");
        assertThat(events).allSatisfy(hit -> assertThat(hit.text()).startsWith("event question.asked about"));
        var steps = memory.recall(MemoryQuery.of("StepCompleted wordmark teal")
                        .withKinds(MemoryKind.JOURNAL)
                        .withSubject("acme"))
                .items();
        assertThat(steps).anySatisfy(hit -> {
            assertThat(hit.text()).startsWith("StepCompleted look (run " + run + ")");
            assertThat(hit.metadata().path("runId").asText()).isEqualTo(run);
        });
        assertThat(memory.recall(MemoryQuery.of("wordmark")
                                .withKinds(MemoryKind.EVENT)
                                .since(later))
                        .items())
                .extracting(MemoryHit::subject)
                .containsExactly("bolt");

        long copied = aios.memory.stats().tiers().get(MemoryKind.Tier.EPISODIC).items();
        aios.restart();
        aios.settle();
        assertThat(aios.memory.stats().tiers().get(MemoryKind.Tier.EPISODIC).items())
                .as("a restart copies nothing twice")
                .isEqualTo(copied);
    }

    @Test
    void aDeletedIndexIsRebuiltFromTheDatabaseWithoutEmbeddingAgain() throws Exception {
        aios = MemoryHarness.start(dir);
        var memory = aios.operator();
        memory.remember(Remember.of(MemoryKind.DOCUMENT, "acme", "Brand guidelines: the logo sits on a teal field."));
        memory.remember(Remember.of(MemoryKind.NOTE, "bolt", "Bolt's app onboarding needs three screens."));
        aios.settle();
        var before =
                memory.recall(MemoryQuery.of("colour of the logo background")).items();
        aios.close();
        deleteTree(dir.resolve("data/memory-index"));

        aios.start();

        var stats = aios.memory.stats();
        assertThat(stats.index().chunks())
                .isEqualTo(stats.tiers().values().stream()
                        .mapToLong(t -> t.chunks())
                        .sum());
        assertThat(stats.embedding().waiting()).isZero();
        assertThat(stats.embedding().embedded())
                .as("vectors come from the database")
                .isZero();
        var after = aios.operator()
                .recall(MemoryQuery.of("colour of the logo background"))
                .items();
        assertThat(after)
                .extracting(MemoryHit::id)
                .isEqualTo(before.stream().map(MemoryHit::id).toList());
        assertThat(after.getFirst().why().vectorRank()).isPresent();
    }

    @Test
    void anIndexThisVersionCannotReadIsRebuiltFromTheDatabaseInsteadOfStoppingTheStart() throws Exception {
        aios = MemoryHarness.start(dir);
        var memory = aios.operator();
        memory.remember(Remember.of(MemoryKind.DOCUMENT, "acme", "Brand guidelines: the logo sits on a teal field."));
        memory.remember(Remember.of(MemoryKind.NOTE, "bolt", "Bolt's app onboarding needs three screens."));
        aios.settle();
        aios.close();
        // What an index written by another Lucene version (or a damaged one) looks like to this one.
        try (var files = Files.list(dir.resolve("data/memory-index"))) {
            for (var file : files.filter(f -> f.getFileName().toString().startsWith("segments"))
                    .toList()) {
                Files.write(file, new byte[] {0x3f, (byte) 0xd7, 0x6c, 0x17, 0, 0, 0, 9, 'L', 'u', 'c', 'e', 'n', 'e'});
            }
        }

        aios.start();

        var stats = aios.memory.stats();
        assertThat(stats.index().chunks()).isEqualTo(2);
        assertThat(stats.embedding().embedded())
                .as("vectors come from the database")
                .isZero();
        var found = aios.operator().recall(MemoryQuery.of("teal logo")).items();
        assertThat(found.getFirst().text()).contains("teal field");
        assertThat(found.getFirst().why().vectorRank()).isPresent();
    }

    static void deleteTree(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            for (var file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
