package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hybrid recall with the real model and a real index: by words, by meaning, filtered, scored. */
class RecallTest {
    @TempDir
    Path dir;

    MemoryHarness aios;

    @BeforeEach
    void start() throws Exception {
        aios = MemoryHarness.start(dir);
    }

    @AfterEach
    void stop() {
        aios.close();
    }

    @Test
    void findsByMeaningWhenNoWordIsShared() {
        var memory = aios.operator();
        memory.remember(
                Remember.of(MemoryKind.NOTE, "bakery", "The bakery wants a new logo and shop sign for its bread."));
        memory.remember(Remember.of(MemoryKind.NOTE, "acme", "Invoice 42 was paid late, after two reminders."));
        memory.remember(
                Remember.of(MemoryKind.EMAIL, "bolt", "Can we move Tuesday's call about the mobile app to Friday?"));
        aios.settle();

        var recall =
                memory.recall(MemoryQuery.of("visual identity for a patisserie").withK(3));

        assertThat(recall.searchedByMeaning()).isTrue();
        var best = recall.items().getFirst();
        assertThat(best.subject()).isEqualTo("bakery");
        assertThat(best.why().vectorRank()).hasValue(1);
        assertThat(best.why().textRank()).isEmpty();
        assertThat(best.why().explanation()).contains("meaning rank 1");
    }

    @Test
    void aNoteStoredAloneIsFoundByMeaningWithinTwoSeconds() {
        var memory = aios.operator();
        // The model loads on its first call: that is not what a store waits for.
        memory.remember(Remember.of(MemoryKind.NOTE, "acme", "Invoice 42 was paid late, after two reminders."));
        aios.settle();

        long stored = System.nanoTime();
        memory.remember(
                Remember.of(MemoryKind.NOTE, "bakery", "The bakery wants a new logo and shop sign for its bread."));
        Eventually.await(() ->
                memory.recall(MemoryQuery.of("visual identity for a patisserie").withK(1)).items().stream()
                        .anyMatch(hit -> hit.subject().equals("bakery")
                                && hit.why().vectorRank().isPresent()));
        var took = Duration.ofNanos(System.nanoTime() - stored);

        assertThat(took).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void notesStoredBackToBackAreAllFoundByMeaningOnceTheWritesStop() {
        var memory = aios.operator();
        var texts = List.of(
                "The bakery wants a new logo and shop sign for its bread.",
                "Invoice 42 was paid late, after two reminders.",
                "Can we move Tuesday's call about the mobile app to Friday?",
                "The warehouse roof leaks when it rains heavily.",
                "Our new hire starts on the support desk next week.");
        for (int round = 0; round < 8; round++) {
            for (int i = 0; i < texts.size(); i++) {
                memory.remember(Remember.of(MemoryKind.NOTE, "s" + i, texts.get(i) + " #" + round));
            }
        }

        long stopped = System.nanoTime();
        Eventually.await(() -> aios.memory.stats().embedding().waiting() == 0);
        Eventually.await(
                () -> memory
                        .recall(MemoryQuery.of("a building lets water in during storms")
                                .withK(1))
                        .items()
                        .stream()
                        .anyMatch(hit -> hit.subject().equals("s3")
                                && hit.why().vectorRank().isPresent()));
        var took = Duration.ofNanos(System.nanoTime() - stopped);

        // Gathered while the writes came, embedded once they stopped: not left waiting for more.
        assertThat(took).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anExactWordRanksFirstEvenBeforeItIsEmbedded() {
        var memory = aios.operator();
        memory.remember(Remember.of(MemoryKind.NOTE, "acme", "Order reference ZX-4471 shipped on Monday."));
        memory.remember(Remember.of(MemoryKind.NOTE, "acme", "Shipping is usually on Mondays."));

        // No settle: the item is searchable by text as soon as remember returns.
        var recall = memory.recall(MemoryQuery.of("ZX-4471").withK(1));

        assertThat(recall.items()).singleElement().satisfies(hit -> {
            assertThat(hit.text()).contains("ZX-4471");
            assertThat(hit.why().textRank()).hasValue(1);
        });
    }

    @Test
    void filtersBySubjectKindAndTime() {
        var memory = aios.operator();
        memory.remember(Remember.of(MemoryKind.NOTE, "acme", "Acme likes bold colours in their brand."));
        aios.clock.advance(Duration.ofDays(2));
        var cutoff = aios.clock.instant();
        memory.remember(Remember.of(MemoryKind.EMAIL, "acme", "Acme asks for bolder colours on the landing page."));
        memory.remember(Remember.of(MemoryKind.NOTE, "bolt", "Bolt likes bold colours too."));
        aios.settle();

        assertThat(memory.recall(MemoryQuery.of("bold colours").withSubject("acme"))
                        .items())
                .extracting(MemoryHit::subject)
                .containsOnly("acme")
                .hasSize(2);
        assertThat(memory.recall(MemoryQuery.of("bold colours").withKinds(MemoryKind.EMAIL))
                        .items())
                .extracting(MemoryHit::kind)
                .containsOnly(MemoryKind.EMAIL);
        assertThat(memory.recall(MemoryQuery.of("bold colours")
                                .withSubject("acme")
                                .since(cutoff))
                        .items())
                .singleElement()
                .satisfies(hit -> assertThat(hit.text()).contains("landing page"));
        assertThat(memory.recall(MemoryQuery.of("bold colours").withSubject("nobody"))
                        .items())
                .isEmpty();
    }

    @Test
    void olderItemsDecayAndImportantOnesWeighMore() {
        var memory = aios.operator();
        memory.remember(Remember.of(MemoryKind.OUTPUT, "acme", "Quarterly report draft for Acme: revenue up."));
        aios.clock.advance(Duration.ofDays(30)); // one half-life of an output
        memory.remember(Remember.of(MemoryKind.OUTPUT, "bolt", "Quarterly report draft for Bolt: revenue up.")
                .withImportance(1.0));
        aios.settle();

        var hits = memory.recall(
                        MemoryQuery.of("quarterly report draft revenue").withK(2))
                .items();

        // The two match alike, so decay and importance decide; but they only adjust the relevance.
        assertThat(hits).extracting(MemoryHit::subject).containsExactly("bolt", "acme");
        var old = hits.get(1);
        assertThat(old.why().decay()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
        assertThat(old.why().explanation()).contains("stored 30 days ago", "half-life 30 days");
        assertThat(old.why().adjustment()).isLessThan(1).isGreaterThan(0.75);
        assertThat(hits.getFirst().why().adjustment()).isGreaterThan(1);
    }

    @Test
    void withoutWordsItListsTheNewestItemsOfASubject() {
        var memory = aios.operator();
        memory.remember(Remember.of(MemoryKind.NOTE, "acme", "first"));
        aios.clock.advance(Duration.ofMinutes(1));
        memory.remember(Remember.of(MemoryKind.NOTE, "acme", "second"));

        var hits = memory.recall(new MemoryQuery(
                        "",
                        java.util.Optional.of("acme"),
                        java.util.Set.of(),
                        java.util.Optional.empty(),
                        java.util.Optional.empty(),
                        10))
                .items();

        assertThat(hits).extracting(MemoryHit::text).containsExactly("second", "first");
    }

    @Test
    void storingTheSameIdTwiceKeepsOneItemAndOtherContentUnderItIsAConflict() {
        var memory = aios.operator();
        var first = memory.remember(
                Remember.of(MemoryKind.NOTE, "acme", "Prefers email").withId("pref-1"));
        var again = memory.remember(
                Remember.of(MemoryKind.NOTE, "acme", "Prefers email").withId("pref-1"));

        assertThat(again).isEqualTo(first);
        assertThatThrownBy(() -> memory.remember(
                        Remember.of(MemoryKind.NOTE, "acme", "Something else").withId("pref-1")))
                .isInstanceOf(MemoryConflictException.class)
                .hasMessageContaining("memory item pref-1 already exists with other content; nothing changed");
        assertThat(memory.recall(MemoryQuery.of("prefers email something else")).items())
                .hasSize(1);
    }

    @Test
    void badQueriesAreRefusedWithReasons() {
        var memory = aios.operator();
        assertThatThrownBy(() -> MemoryQuery.of("  ").withK(5)).hasMessageContaining("give words to search for");
        assertThatThrownBy(() -> MemoryQuery.of("x").withK(0)).hasMessageContaining("between 1 and 100");
        assertThatThrownBy(() -> MemoryQuery.of("x").withK(1_000_000)).hasMessageContaining("between 1 and 100");
        assertThatThrownBy(() -> MemoryQuery.of("x".repeat(5_000))).hasMessageContaining("at most 4000");
        // A long query of many distinct words is bounded, not refused.
        var words = new StringBuilder();
        for (int i = 0; i < 700; i++) {
            words.append("w").append(i).append(' ');
        }
        assertThat(memory.recall(MemoryQuery.of(words.toString())).items()).isEmpty();
    }
}
