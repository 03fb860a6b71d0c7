package dev.aios.memory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.MemoryKind;
import dev.aios.memory.Ranking;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The text search of the index, in a small index and in one large enough to score phrases apart. */
class MemoryIndexTest {
    static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {10, MemoryIndex.SCORED_AT_ONCE + 100})
    void aChunkWhoseWordsStandTogetherRanksAboveOneWithTheSameWordsApart(int fillers) throws Exception {
        try (var index = MemoryIndex.open(dir, "test-model")) {
            var docs = new ArrayList<Rows.Doc>();
            for (int i = 0; i < fillers; i++) {
                docs.add(doc("filler-" + i, "A note about the invoice number " + i + " for the client."));
            }
            docs.add(doc("apart", "The page about landing gear was redone."));
            docs.add(doc("together", "The landing page about gear was redone."));
            index.put(docs);
            index.refresh();

            var found =
                    index.byText(TextQuery.of("landing page", index.analyzer(), Ranking.DEFAULT), Optional.empty(), 10);

            assertThat(found).extracting(MemoryIndex.Found::key).containsExactly("together#0", "apart#0");
            assertThat(found.get(0).score()).isGreaterThan(found.get(1).score());
        }
    }

    @Test
    void aLargeIndexFindsAChunkByItsWordsWithinAFilterAndReadsItsKey() throws Exception {
        try (var index = MemoryIndex.open(dir, "test-model")) {
            var docs = new ArrayList<Rows.Doc>();
            for (int i = 0; i < MemoryIndex.SCORED_AT_ONCE + 100; i++) {
                docs.add(doc("filler-" + i, "The landing page of client " + i + " was redone."));
            }
            docs.add(new Rows.Doc(
                    "wanted",
                    3,
                    "globex",
                    MemoryKind.NOTE,
                    AT,
                    "Their landing page was redone in teal.",
                    Optional.empty()));
            index.put(docs);
            index.refresh();

            var filter = new org.apache.lucene.search.TermQuery(
                    new org.apache.lucene.index.Term(MemoryIndex.SUBJECT, "globex"));
            var found = index.byText(
                    TextQuery.of("landing page redone", index.analyzer(), Ranking.DEFAULT), Optional.of(filter), 10);

            assertThat(found).extracting(MemoryIndex.Found::key).containsExactly("wanted#3");
        }
    }

    @Test
    void whatWasPutOrDeletedIsFoundByTheNextSearchThoughNothingRefreshedTheIndex() throws Exception {
        try (var index = MemoryIndex.open(dir, "test-model")) {
            var words = TextQuery.of("invoice", index.analyzer(), Ranking.DEFAULT);
            assertThat(index.byText(words, Optional.empty(), 10)).isEmpty();

            index.put(java.util.List.of(doc("first", "The invoice goes out on Friday.")));
            assertThat(index.stale())
                    .as("a store leaves the refresh to the next search")
                    .isTrue();
            assertThat(index.byText(words, Optional.empty(), 10))
                    .extracting(MemoryIndex.Found::key)
                    .containsExactly("first#0");
            assertThat(index.stale()).isFalse();

            index.put(java.util.List.of(doc("second", "A second invoice, for the logo.")));
            index.deleteKey("first#0");
            assertThat(index.byText(words, Optional.empty(), 10))
                    .extracting(MemoryIndex.Found::key)
                    .containsExactly("second#0");
        }
    }

    private static Rows.Doc doc(String id, String text) {
        return new Rows.Doc(id, 0, "acme", MemoryKind.NOTE, AT, text, Optional.empty());
    }
}
