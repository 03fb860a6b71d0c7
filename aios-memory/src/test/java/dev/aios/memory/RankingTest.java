package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How recall ranks, with the real model and a real index: titles, chunks of one item, decay, explain. */
class RankingTest {
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
    void aTitleMatchIsNeverOutrankedByDecay() {
        var memory = aios.operator();
        memory.remember(Remember.of(
                        MemoryKind.EMAIL,
                        "acme",
                        "Acme invoice 42 is overdue\n\nHi, the invoice for the brand refresh is still open. Could"
                                + " you check with accounting? Thanks, Ada")
                .withId("old-invoice-email"));
        // Two years later (twelve half-lives of an email): many fresh emails that mention the same words.
        aios.clock.advance(Duration.ofDays(730));
        for (int i = 0; i < 12; i++) {
            memory.remember(Remember.of(
                            MemoryKind.EMAIL,
                            "acme",
                            "Weekly update " + i + "\n\nAcme sent over invoice questions again; the overdue items"
                                    + " are with accounting, invoice " + (100 + i) + " included.")
                    .withImportance(0.9));
        }
        aios.settle();

        var hits = memory.recall(MemoryQuery.of("Acme invoice 42 is overdue").withK(5))
                .items();

        var first = hits.getFirst();
        assertThat(first.id())
                .as(
                        "%s",
                        hits.stream()
                                .map(h -> h.id() + ": " + h.why().explanation())
                                .toList())
                .isEqualTo("old-invoice-email");
        assertThat(first.why().decay()).isLessThan(0.001);
        assertThat(first.why().textRank()).hasValue(1);
        assertThat(first.why().adjustment()).isGreaterThanOrEqualTo(0.8);
    }

    @Test
    void theChunksOfOneLongDocumentTakeOneSlot() {
        var memory = aios.operator();
        var handbook = new StringBuilder("Harbour dredging handbook\n\n");
        for (int i = 0; i < 30; i++) {
            handbook.append("Section ")
                    .append(i)
                    .append(": harbour dredging keeps the channel deep enough for ships; the dredging crew")
                    .append(" removes silt from the harbour floor and checks the depth of the channel every")
                    .append(" month. Dredging schedules depend on tides, silt and the harbour master's permits.\n\n");
        }
        memory.remember(
                Remember.of(MemoryKind.DOCUMENT, "port", handbook.toString()).withId("handbook"));
        memory.remember(Remember.of(MemoryKind.NOTE, "port", "The harbour dredging contract renews in May.")
                .withId("contract"));
        memory.remember(Remember.of(MemoryKind.NOTE, "port", "Call the harbour master about dredging permits.")
                .withId("permits"));
        aios.settle();
        assertThat(aios.memory.stats().index().chunks())
                .as("the handbook is chunked")
                .isGreaterThan(5);

        var hits = memory.recall(MemoryQuery.of("harbour dredging").withK(3)).items();

        assertThat(hits).extracting(MemoryHit::id).containsExactlyInAnyOrder("handbook", "contract", "permits");
    }

    @Test
    void wordsSideBySideRankAboveTheSameWordsApart() {
        var memory = aios.operator();
        for (int i = 0; i < 40; i++) {
            memory.remember(Remember.of(
                    MemoryKind.NOTE,
                    "bakery",
                    "The page of the bakery's menu went out before the landing of order " + (100 + i) + "."));
        }
        memory.remember(Remember.of(
                        MemoryKind.NOTE, "bakery", "The landing page of the bakery's menu went out before order 99.")
                .withId("landing-page"));
        aios.settle();

        var hits = memory.recall(MemoryQuery.of("bakery landing page").withK(3)).items();

        assertThat(hits.getFirst().id())
                .as(
                        "%s",
                        hits.stream()
                                .map(h -> h.id() + ": " + h.why().explanation())
                                .toList())
                .isEqualTo("landing-page");
        assertThat(hits.getFirst().why().textRank()).hasValue(1);
    }

    @Test
    void explainShowsEachSignalsPartInTheScore() {
        var memory = aios.operator();
        memory.remember(Remember.of(MemoryKind.NOTE, "acme", "Order reference ZX-4471 shipped on Monday."));
        memory.remember(Remember.of(MemoryKind.NOTE, "acme", "Acme's invoices are paid by bank transfer."));
        aios.settle();

        var hit = memory.recall(MemoryQuery.of("how acme pays its invoices").withK(1))
                .items()
                .getFirst();

        var why = hit.why();
        assertThat(hit.text()).contains("bank transfer");
        assertThat(why.textRank()).hasValue(1);
        assertThat(why.textScore().orElseThrow()).isPositive();
        assertThat(why.vectorRank()).hasValue(1);
        assertThat(why.similarity().orElseThrow()).isBetween(0.2, 1.0);
        assertThat(why.text() + why.meaning()).isCloseTo(why.relevance(), within(0.001));
        assertThat(why.relevance()).isCloseTo(1.0, within(0.001));
        assertThat(hit.score()).isCloseTo(why.relevance() * why.adjustment(), within(0.001));
        assertThat(why.explanation()).contains("text rank 1 (BM25 ", "meaning rank 1 (cosine ", "importance 0.50");

        var plan = aios.memory.plan(MemoryQuery.of("how acme pays its invoices"));
        assertThat(plan.stems()).contains("acm", "pai", "invoic").doesNotContain("its");
        assertThat(plan.words()).containsExactly("how", "acme", "pays", "its", "invoices");
        assertThat(plan.exactLooking()).isFalse();
        assertThat(plan.meaningWeight())
                .as("meaning weighs half as much as words (evaluated)")
                .isPositive()
                .isLessThan(plan.textWeight());
        var code = aios.memory.plan(MemoryQuery.of("ZX-4471"));
        assertThat(code.exactLooking()).isTrue();
        assertThat(code.meaningWeight()).isLessThan(code.textWeight());
    }

    @Test
    void anIndexOfAnOlderFormatIsRebuiltWithoutEmbeddingAgain() throws Exception {
        var memory = aios.operator();
        memory.remember(Remember.of(MemoryKind.EMAIL, "acme", "Logo sign-off\n\nThe teal version is approved.")
                .withId("sign-off"));
        aios.settle();
        aios.close();
        // Mark the committed index as made by the second format, which kept each key in stored fields.
        try (var directory = FSDirectory.open(dir.resolve("data/memory-index"))) {
            var data = new java.util.HashMap<>(
                    SegmentInfos.readLatestCommit(directory).getUserData());
            data.put("format", "2");
            try (var writer = new IndexWriter(directory, new IndexWriterConfig())) {
                writer.setLiveCommitData(data.entrySet());
                writer.commit();
            }
        }

        aios.start();

        assertThat(aios.memory.stats().embedding().embedded())
                .as("vectors come from the database")
                .isZero();
        try (var directory = FSDirectory.open(dir.resolve("data/memory-index"));
                var reader = DirectoryReader.open(directory)) {
            assertThat(reader.getIndexCommit().getUserData()).containsAllEntriesOf(Map.of("format", "3"));
        }
        var hit =
                aios.operator().recall(MemoryQuery.of("logo sign-off")).items().getFirst();
        assertThat(hit.id()).isEqualTo("sign-off");
        assertThat(hit.why().vectorRank()).isPresent();
    }
}
