package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.api.KnowledgeKind;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a clear error and changes nothing; long input is bounded. */
class BadInputTest {
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
    void aFiftyMegabyteDocumentIsRefusedAndNothingIsStored() {
        var huge = "All work and no play. ".repeat(50 * 1024 * 1024 / 22);

        assertThatThrownBy(() -> aios.operator().remember(Remember.of(MemoryKind.DOCUMENT, "acme", huge)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memory takes at most 500000 per item: split it");

        assertThat(aios.memory.stats().tiers().get(MemoryKind.Tier.SEMANTIC).items())
                .isZero();
    }

    @Test
    void aLongDocumentIsChunkedWithinBoundsAndEveryChunkIsFound() {
        var text = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            text.append("Paragraph ")
                    .append(i)
                    .append(" talks about topic")
                    .append(i)
                    .append(". ");
        }
        var item = aios.operator().remember(Remember.of(MemoryKind.DOCUMENT, "acme", text.toString()));

        assertThat(item.chunks()).isBetween(text.length() / 1500, text.length() / 500 + 1);
        var hit = aios.operator()
                .recall(MemoryQuery.of("topic250").withK(1))
                .items()
                .getFirst();
        assertThat(hit.id()).isEqualTo(item.id());
        assertThat(hit.text()).contains("topic250").hasSizeLessThanOrEqualTo(1500);
    }

    @Test
    void textThatIsNotValidUnicodeIsStoredWithReplacements() {
        var broken = "caf\uD800e menu";
        aios.operator().remember(Remember.of(MemoryKind.NOTE, "acme", broken));

        assertThat(aios.operator()
                        .recall(MemoryQuery.of("menu"))
                        .items()
                        .getFirst()
                        .text())
                .isEqualTo("caf?e menu");
    }

    @Test
    void wrongItemsAndRecordsAreRefusedWithWhatToDo() {
        assertThatThrownBy(() -> Remember.of(MemoryKind.JOURNAL, "acme", "x"))
                .hasMessageContaining("note, email, document or output");
        assertThatThrownBy(() -> Remember.of(MemoryKind.NOTE, "acme", " ")).hasMessageContaining("text to remember");
        assertThatThrownBy(() -> Remember.of(MemoryKind.NOTE, "acme", "x").withImportance(2))
                .hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> aios.operator()
                        .put(KnowledgeKind.CUSTOMER, "bad id!", "acme", MemoryHarness.JSON.createObjectNode()))
                .hasMessageContaining("a record id is");
        assertThatThrownBy(() -> aios.operator()
                        .put(KnowledgeKind.CUSTOMER, "customer/acme", "acme", MemoryHarness.JSON.createArrayNode()))
                .hasMessageContaining("must be a JSON object");
        assertThat(aios.operator().get("customer/nobody")).isEmpty();
        assertThat(aios.operator().history("customer/nobody")).isEmpty();
    }
}
