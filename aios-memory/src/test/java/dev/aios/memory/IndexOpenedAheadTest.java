package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import dev.aios.kernel.Kernel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory's index opens beside the kernel's store while the kernel is built: a build that fails before
 * memory takes the index up leaves it closed, so that the next build opens it.
 */
class IndexOpenedAheadTest {

    @TempDir
    Path dir;

    @Test
    void aBuildThatFailsAtTheStoreLeavesTheIndexFreeForTheNext() throws Exception {
        var data = dir.resolve("data");
        try (var kernel = build(data)) {
            memory.memory().remember(Remember.of(MemoryKind.NOTE, "acme", "Acme pays its invoices on the 5th."));
        }
        var database = data.resolve("aios.db");
        var kept = dir.resolve("aios.db.kept");
        Files.move(database, kept);
        Files.writeString(database, "not a database, but the store finds out only once it opens it");

        assertThatThrownBy(() -> build(data)).isInstanceOf(RuntimeException.class);

        Files.delete(database);
        Files.move(kept, database);
        try (var kernel = build(data)) {
            assertThat(memory.memory().recall(MemoryQuery.of("invoices")).items())
                    .singleElement()
                    .satisfies(hit -> assertThat(hit.text()).contains("5th"));
        }
    }

    private MemoryExtension memory;

    private Kernel build(Path data) {
        memory = MemoryExtension.of(MemorySettings.defaults(), MemoryHarness.model());
        return Kernel.builder().dataDirectory(data).extension(memory).build();
    }
}
