package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recall opens (decrypts) only the items it returns: it ranks every candidate by its row first. The
 * first {@code k} it returns must be exactly the first {@code k} of a recall that opens every
 * candidate (a {@code k} above the number of candidates), with the same texts, scores and signals.
 */
class RecallOrderTest {
    private static final String[] WHO = {"the bakery", "the law firm", "the brewery", "the florist", "the dentist"};
    private static final String[] WHAT = {
        "logo", "invoice", "landing page", "pitch deck", "newsletter", "colour palette", "photo shoot", "signage"
    };
    private static final String[] DID = {"asked for", "approved", "paid for", "postponed", "wants changes to"};
    private static final List<String> QUERIES = List.of(
            "the bakery asked for the logo",
            "invoice paid late",
            "changes to the landing page and the newsletter",
            "colour palette",
            "who postponed the photo shoot?",
            "a cake shop wants a new brand mark",
            "signage");

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
    void theFirstKAreTheFirstKOfARecallThatOpensEveryCandidate() {
        var memory = aios.operator();
        var random = new Random(16);
        for (int i = 0; i < 80; i++) {
            String text = capital(WHO[random.nextInt(WHO.length)]) + " " + DID[random.nextInt(DID.length)] + " the "
                    + WHAT[random.nextInt(WHAT.length)] + " and the " + WHAT[random.nextInt(WHAT.length)] + ".";
            var kind = List.of(MemoryKind.NOTE, MemoryKind.EMAIL, MemoryKind.DOCUMENT)
                    .get(random.nextInt(3));
            memory.remember(Remember.of(kind, "client-" + (i % 7), text)
                    .withImportance(Math.round(random.nextDouble() * 10) / 10.0));
            aios.clock.advance(Duration.ofHours(1 + random.nextInt(72)));
        }
        aios.settle();
        assertThat(memory.forget("client-3")).isPositive();
        // Until the forgotten subject's documents are merged away, they count in BM25's statistics.
        aios.settle();

        int compared = 0;
        for (String text : QUERIES) {
            for (var query : List.of(
                    MemoryQuery.of(text),
                    MemoryQuery.of(text).withSubject("client-2"),
                    MemoryQuery.of(text).withKinds(MemoryKind.NOTE, MemoryKind.EMAIL))) {
                var every = memory.recall(query.withK(MemoryQuery.MAX_K)).items();
                assertThat(every).extracting(MemoryHit::subject).doesNotContain("client-3");
                for (int k : new int[] {1, 3, 5, 10}) {
                    // The same items in the same order; BM25's scores move a little between two
                    // recalls, as the index takes in what the kernel journals meanwhile.
                    assertThat(memory.recall(query.withK(k)).items())
                            .as("%s, k = %d", query, k)
                            .extracting(MemoryHit::id, MemoryHit::chunk, MemoryHit::text)
                            .containsExactlyElementsOf(every.subList(0, Math.min(k, every.size())).stream()
                                    .map(h -> org.assertj.core.groups.Tuple.tuple(h.id(), h.chunk(), h.text()))
                                    .toList());
                    compared++;
                }
            }
        }
        var newest = memory.recall(newest("client-2", MemoryQuery.MAX_K)).items();
        assertThat(memory.recall(newest("client-2", 5)).items())
                .extracting(MemoryHit::id)
                .containsExactlyElementsOf(
                        newest.subList(0, 5).stream().map(MemoryHit::id).toList());
        assertThat(newest).extracting(MemoryHit::subject).doesNotContain("client-3");
        assertThat(compared).isEqualTo(QUERIES.size() * 3 * 4);
    }

    /** No words: the newest items of {@code subject}. */
    private static MemoryQuery newest(String subject, int k) {
        return new MemoryQuery("", Optional.of(subject), Set.of(), Optional.empty(), Optional.empty(), k);
    }

    private static String capital(String words) {
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
