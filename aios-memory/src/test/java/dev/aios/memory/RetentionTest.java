package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.TestClock;
import dev.aios.memory.MemorySettings.Retention;
import dev.aios.testing.ScriptedModelServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention per kind: time to live, compaction into summaries, pins and legal holds. */
class RetentionTest {
    @TempDir
    Path dir;

    MemoryHarness aios;

    @AfterEach
    void stop() {
        if (aios != null) {
            aios.close();
        }
    }

    MemorySettings compactingWith(String baseUrl) {
        var compact = new Retention(Optional.empty(), Optional.empty(), Optional.of(Duration.ofDays(2)));
        var withModel = new MemorySettings(
                new MemorySettings.Embeddings.InProcess(),
                Map.of(MemoryKind.EVENT, compact, MemoryKind.JOURNAL, compact),
                Set.of(),
                Duration.ofHours(1),
                Optional.of(new MemorySettings.Endpoint(java.net.URI.create(baseUrl), "small", "")),
                MemorySettings.Limits.DEFAULT);
        return withModel;
    }

    void oneRunAndTwoWeeks(MemorySettings settings) throws Exception {
        aios = new MemoryHarness(dir, new TestClock(), settings, List.of(new LookUp()), LookUp.PLAYBOOK);
        var run = aios.send("question.asked", "acme", "{\"need\": \"kickoff agenda\"}")
                .getFirst();
        Eventually.await(() -> aios.kernel.run(run).status() == RunStatus.COMPLETED);
        aios.settle();
        aios.clock.advance(Duration.ofDays(14));
    }

    @Test
    void aConfiguredModelWritesTheSummary() throws Exception {
        try (var model = ScriptedModelServer.start()) {
            model.enqueue(ScriptedModelServer.Reply.text("Acme asked for a kickoff agenda, and got an answer."));
            oneRunAndTwoWeeks(compactingWith(model.openAiBaseUrl()));

            assertThat(aios.memory.retain().summarizer()).isEqualTo("small");

            var summary = aios.operator()
                    .recall(MemoryQuery.of("kickoff agenda").withKinds(MemoryKind.SUMMARY))
                    .items();
            assertThat(summary).singleElement().satisfies(hit -> {
                assertThat(hit.text()).isEqualTo("Acme asked for a kickoff agenda, and got an answer.");
                assertThat(hit.metadata().path("summarizer").asText()).isEqualTo("small");
            });
            assertThat(model.requests().getFirst().body().toString()).contains("kickoff agenda");
        }
    }

    @Test
    void whenTheModelIsUnreachableTheSummaryIsExtractive() throws Exception {
        oneRunAndTwoWeeks(compactingWith("http://127.0.0.1:9/v1"));

        aios.memory.retain();

        var summary = aios.operator()
                .recall(MemoryQuery.of("kickoff agenda").withKinds(MemoryKind.SUMMARY))
                .items();
        assertThat(summary).singleElement().satisfies(hit -> {
            assertThat(hit.text()).contains("records about acme on 2026-03-02");
            assertThat(hit.metadata().path("summarizer").asText()).isEqualTo("extractive");
        });
    }

    @Test
    void oldItemsExpireOrAreCompactedAndStatsSayWhatGoesNext() throws Exception {
        var settings = MemorySettings.defaults()
                .withRetention(
                        MemoryKind.EMAIL,
                        new Retention(Optional.of(Duration.ofDays(10)), Optional.empty(), Optional.empty()))
                .withRetention(
                        MemoryKind.EVENT,
                        new Retention(Optional.empty(), Optional.empty(), Optional.of(Duration.ofDays(2))))
                .withRetention(
                        MemoryKind.JOURNAL,
                        new Retention(Optional.empty(), Optional.empty(), Optional.of(Duration.ofDays(2))))
                .withLegalHolds(Set.of("held"));
        aios = new MemoryHarness(dir, new TestClock(), settings, List.of(new LookUp()), LookUp.PLAYBOOK);
        var memory = aios.operator();
        memory.remember(Remember.of(MemoryKind.EMAIL, "acme", "Old email about the kickoff meeting"));
        memory.remember(Remember.of(MemoryKind.EMAIL, "acme", "Pinned email about the kickoff contract")
                .withPinned(true));
        memory.remember(Remember.of(MemoryKind.EMAIL, "held", "Held email about the kickoff dispute"));
        memory.remember(Remember.of(MemoryKind.NOTE, "acme", "A note about the kickoff, kept for 180 days"));
        var run = aios.send("question.asked", "acme", "{\"need\": \"kickoff agenda\"}")
                .getFirst();
        Eventually.await(() -> aios.kernel.run(run).status() == RunStatus.COMPLETED);
        aios.settle();
        long episodic =
                aios.memory.stats().tiers().get(MemoryKind.Tier.EPISODIC).items();
        assertThat(episodic).isGreaterThan(5);

        aios.clock.advance(Duration.ofDays(11));
        var plan = aios.memory.stats().nextRetention();
        assertThat(plan.expire()).isEqualTo(Map.of(MemoryKind.EMAIL, 1L));
        assertThat(plan.compact()).isEqualTo(episodic);
        assertThat(plan.summaries()).isEqualTo(1);
        assertThat(plan.legalHolds()).containsExactly("held");

        var report = aios.memory.retain();

        assertThat(report.expired()).isEqualTo(Map.of(MemoryKind.EMAIL, 1L));
        assertThat(report.compacted()).isEqualTo(episodic);
        assertThat(report.summaries()).isEqualTo(1);
        assertThat(memory.recall(MemoryQuery.of("kickoff").withKinds(MemoryKind.EMAIL))
                        .items())
                .extracting(MemoryHit::subject)
                .containsExactlyInAnyOrder("acme", "held")
                .hasSize(2);
        var summary = memory.recall(MemoryQuery.of("kickoff agenda").withKinds(MemoryKind.SUMMARY))
                .items();
        assertThat(summary).singleElement().satisfies(hit -> {
            assertThat(hit.subject()).isEqualTo("acme");
            assertThat(hit.text()).startsWith(episodic + " records about acme on 2026-03-02:");
            assertThat(hit.text()).contains("kickoff agenda");
            assertThat(hit.metadata().path("compacted").asLong()).isEqualTo(episodic);
        });
        var stats = aios.memory.stats();
        assertThat(stats.kinds().get(MemoryKind.JOURNAL)).isZero();
        assertThat(stats.kinds().get(MemoryKind.SUMMARY)).isEqualTo(1);
        assertThat(stats.nextRetention().expire()).isEmpty();
        assertThat(stats.nextRetention().compact()).isZero();
        // The journal itself is untouched: retention applies to memory, not to the record of runs.
        assertThat(aios.kernel.journal(run)).isNotEmpty();
        assertThat(aios.kernel.verify().problems()).isEmpty();
    }
}
