package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index stays in few segments as items arrive one by one, across a restart. */
class IndexShapeTest {
    @TempDir
    Path dir;

    MemoryHarness aios;

    @AfterEach
    void stop() {
        if (aios != null) {
            aios.close();
        }
    }

    @Test
    void manySmallWritesAreMergedWhenIdleAndTheMergeIsKeptAcrossARestart() throws Exception {
        aios = MemoryHarness.start(dir);
        String[] topics = {"logo", "landing page", "invoice", "onboarding", "newsletter", "pricing page"};
        for (int i = 0; i < 150; i++) {
            String topic = topics[i % topics.length];
            aios.operator()
                    .remember(Remember.of(
                            MemoryKind.NOTE,
                            "client-" + (i % 7),
                            "Call " + i + ": the client asked about the " + topic));
        }
        aios.settle();
        var query =
                MemoryQuery.of("what did the client ask about the pricing page").withK(10);
        var before = ids(aios.operator().recall(query).items());

        // Idle now: the index is merged in the background, and the merge committed with every chunk.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while ((committedSegments() > 3 || committedDocs() < 150) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }

        assertThat(committedDocs()).as("chunks committed").isGreaterThanOrEqualTo(150);
        assertThat(committedSegments()).as("segments once idle").isLessThanOrEqualTo(3);
        assertThat(ids(aios.operator().recall(query).items())).isEqualTo(before);
        aios.restart();
        assertThat(committedSegments()).as("segments after a restart").isLessThanOrEqualTo(3);
        assertThat(ids(aios.operator().recall(query).items())).isEqualTo(before);
        assertThat(aios.memory.stats().index().chunks()).isEqualTo(150);
    }

    private int committedSegments() throws IOException {
        try (var index = FSDirectory.open(aios.dir.resolve("data/memory-index"))) {
            return SegmentInfos.readLatestCommit(index).size();
        }
    }

    private int committedDocs() throws IOException {
        try (var index = FSDirectory.open(aios.dir.resolve("data/memory-index"))) {
            int docs = 0;
            for (var segment : SegmentInfos.readLatestCommit(index)) {
                docs += segment.info.maxDoc() - segment.getDelCount();
            }
            return docs;
        }
    }

    private static List<String> ids(List<MemoryHit> hits) {
        return hits.stream().map(MemoryHit::id).toList();
    }
}
