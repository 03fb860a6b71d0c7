package dev.aios.memory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.MemoryKind;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.internal.Rows.Chunk;
import dev.aios.memory.internal.Rows.Item;
import dev.aios.memory.internal.Rows.NewItem;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a node copies of the kernel's feed is written only from where it read: on a database several
 * nodes share, a batch another node copied first is not written again, and the position does not go
 * back. (Two nodes copying at once are in the server's MemoryAcrossNodesTest; here the late node is
 * played by hand, so the race is certain.)
 */
class FeedCopyTest {
    @TempDir
    Path dir;

    Kernel kernel;
    ItemStore store;

    @BeforeEach
    void start() {
        ExtensionHost[] host = new ExtensionHost[1];
        kernel = Kernel.builder()
                .dataDirectory(dir)
                .extension(MemoryExtension.of(MemorySettings.defaults()))
                .extension(attached -> host[0] = attached)
                .build();
        kernel.start();
        store = new ItemStore(host[0].storage(), new Sealer(host[0].cipher()));
    }

    @AfterEach
    void stop() {
        kernel.close();
    }

    @Test
    void aBatchReadBeforeAnotherNodeCopiedPastItIsNotWrittenAndThePositionStays() {
        long from = store.feedPositions()[0];
        // Two nodes read the same batch of events from the same position; the first writes it.
        assertThat(store.copied(
                        List.of(item(from + 1), item(from + 2)), Map.of("event", from), Map.of("event", from + 2)))
                .isTrue();
        assertThat(store.copied(List.of(item(from + 3)), Map.of("event", from + 2), Map.of("event", from + 3)))
                .isTrue();
        // The second, late, would take the position back to where its batch ended.
        assertThat(store.copied(
                        List.of(item(from + 1), item(from + 2)), Map.of("event", from), Map.of("event", from + 2)))
                .isFalse();

        assertThat(store.feedPositions()[0]).isEqualTo(from + 3);
        assertThat(store.stored(List.of("test/" + (from + 1), "test/" + (from + 2), "test/" + (from + 3))))
                .hasSize(3);
    }

    private static NewItem item(long position) {
        var text = "event note.seen about acme, number " + position;
        return new NewItem(
                new Item(
                        "test/" + position,
                        MemoryKind.EVENT,
                        "acme",
                        1,
                        Instant.now(),
                        0.4,
                        false,
                        "event:" + position,
                        1,
                        text.length(),
                        Sealer.JSON.createObjectNode()),
                List.of(new Chunk(0, text, false)));
    }
}
