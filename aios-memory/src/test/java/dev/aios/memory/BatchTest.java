package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many items stored at once: all or none, found by words at once and by meaning once embedded. */
class BatchTest {
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
    void aBatchIsFoundByWordsAtOnceAndByMeaningOnceEmbedded() {
        var items = new ArrayList<Remember>();
        for (int i = 0; i < 200; i++) {
            items.add(Remember.of(MemoryKind.NOTE, "client" + (i % 5), "Note " + i + " about parcel" + i + ".")
                    .withId("import-" + i));
        }
        items.add(Remember.of(MemoryKind.NOTE, "bakery", "The bakery loved the new croissant logo."));

        var result = aios.memory.rememberAll(items);

        assertThat(result.stored()).isEqualTo(201);
        assertThat(result.items()).hasSize(201);
        assertThat(result.items().get(7).id()).isEqualTo("import-7");
        assertThat(aios.operator().recall(MemoryQuery.of("parcel123").withK(1)).items())
                .extracting(hit -> hit.id())
                .containsExactly("import-123");
        assertThat(aios.memory.settle(Duration.ofMinutes(2))).isTrue();
        var byMeaning =
                aios.operator().recall(MemoryQuery.of("pastry shop branding").withK(1));
        assertThat(byMeaning.searchedByMeaning()).isTrue();
        assertThat(byMeaning.items().getFirst().text()).contains("croissant logo");
    }

    @Test
    void importingTheSameItemsAgainStoresNothingNew() {
        var items = List.of(
                Remember.of(MemoryKind.NOTE, "acme", "first").withId("a-1"),
                Remember.of(MemoryKind.NOTE, "acme", "second").withId("a-2"));
        aios.memory.rememberAll(items);

        var again = aios.memory.rememberAll(items);

        assertThat(again.stored()).isZero();
        assertThat(again.existing()).containsExactlyInAnyOrder("a-1", "a-2");
        assertThat(aios.memory.about("acme")).isEqualTo(2);
    }

    @Test
    void oneRefusedItemRefusesTheWholeBatchAndSaysWhichItIs() {
        aios.memory.rememberAll(
                List.of(Remember.of(MemoryKind.NOTE, "acme", "kept").withId("a-1")));
        var tooLong = "word ".repeat(200_000);

        assertThatThrownBy(() -> aios.memory.rememberAll(List.of(
                        Remember.of(MemoryKind.NOTE, "acme", "fine").withId("a-2"),
                        Remember.of(MemoryKind.DOCUMENT, "acme", tooLong).withId("a-3"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("item 2 of 2: the text is 1000000 characters");
        assertThatThrownBy(() -> aios.memory.rememberAll(List.of(
                        Remember.of(MemoryKind.NOTE, "acme", "fine").withId("a-2"),
                        Remember.of(MemoryKind.NOTE, "acme", "other content").withId("a-1"))))
                .isInstanceOf(MemoryConflictException.class)
                .hasMessageContaining("a-1 already exists with other content");

        assertThat(aios.memory.about("acme")).isEqualTo(1);
        // "kept" may be found by meaning once embedded; what must not be found is the refused "fine".
        assertThat(aios.operator().recall(MemoryQuery.of("fine")).items())
                .extracting(MemoryHit::id)
                .doesNotContain("a-2");
    }
}
