package dev.aios.memory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Long texts are split at boundaries, within bounds, losing nothing. */
class ChunkerTest {
    final Chunker chunker = new Chunker(100);

    @Test
    void aShortTextIsOneChunk() {
        assertThat(chunker.split("  One short note.  ")).containsExactly("One short note.");
    }

    @Test
    void chunksEndAtSentencesAndStayWithinOneAndAHalfTimesTheTarget() {
        var text = "This sentence has about forty characters. ".repeat(20);
        var chunks = chunker.split(text);

        assertThat(chunks).hasSizeBetween(7, 14);
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.length()).isLessThanOrEqualTo(150);
            assertThat(chunk).endsWith(".");
        });
        assertThat(String.join(" ", chunks)).isEqualTo(text.strip());
    }

    @Test
    void aTextWithoutBoundariesIsCutAtTheLimitKeepingCharactersWhole() {
        var text = "😀".repeat(200); // 400 UTF-16 units, no spaces
        var chunks = chunker.split(text);

        assertThat(String.join("", chunks)).isEqualTo(text);
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.length()).isLessThanOrEqualTo(150);
            assertThat(Character.isLowSurrogate(chunk.charAt(0))).isFalse();
        });
    }
}
