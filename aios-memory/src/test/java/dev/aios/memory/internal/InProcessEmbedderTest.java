package dev.aios.memory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InProcessEmbedderTest {
    private static InProcessEmbedder batched;
    private static AllMiniLmL6V2QuantizedEmbeddingModel reference;

    @BeforeAll
    static void load() {
        batched = new InProcessEmbedder();
        reference = new AllMiniLmL6V2QuantizedEmbeddingModel();
    }

    @AfterAll
    static void close() {
        batched.close();
    }

    @Test
    void textsEmbeddedTogetherGetTheVectorsTheModelGivesEachAlone() {
        var texts = List.of(
                "Invoice 42 was paid late.",
                "The bakery approved the new logo and wants the colour palette by Friday, with a darker brown.",
                "ok",
                "Kickoff call with the fintech startup moved to Tuesday at ten; bring the pitch deck drafts.");

        var vectors = batched.embed(texts);

        assertThat(vectors).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            assertThat(Vectors.dot(vectors.get(i), alone(texts.get(i))))
                    .as("text %d", i)
                    .isGreaterThan(0.9999);
            assertThat(Vectors.dot(vectors.get(i), vectors.get(i)))
                    .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Test
    void aTextLongerThanTheModelsWindowIsEmbeddedWholeNotCutAfterItsFirstWindow() {
        var yoga = "The yoga studio wants a calm website redesign with soft greens and a booking page. ";
        var invoice = "The brewery has not paid invoice 88 for the label design and ignores reminders. ";
        var text = yoga.repeat(10) + invoice.repeat(10);

        var vector = batched.embed(List.of(text)).getFirst();

        assertThat(Vectors.dot(vector, alone(yoga))).isGreaterThan(0.5);
        assertThat(Vectors.dot(vector, alone(invoice))).isGreaterThan(0.5);
        assertThat(Vectors.dot(alone(text), alone(invoice)))
                .as("the model alone sees only the first window")
                .isLessThan(Vectors.dot(vector, alone(invoice)));
    }

    @Test
    void aTextsVectorIsTheSameAloneAmongOtherTextsAndWhateverTheThreadCount() {
        var text = "The bakery approved the new logo and wants the colour palette by Friday.";
        var others = new ArrayList<String>();
        for (int i = 0; i < 40; i++) {
            // Texts of the same token length and of others, as a bulk import sends them.
            others.add(
                    i % 2 == 0
                            ? "The brewery approved the new label and wants the colour palette by Monday."
                            : "Client " + i + " asked for " + "a quick call ".repeat(i % 7 + 1));
        }
        others.add(17, text);

        var inBatch = batched.embed(others).get(17);
        var aloneHere = batched.embed(List.of(text)).getFirst();
        try (var oneThread = new InProcessEmbedder(new InProcessEmbedder.Tuning(1, 1, false))) {
            var single = oneThread.embed(List.of(text)).getFirst();

            assertThat(inBatch).as("the same text in a batch and alone").containsExactly(aloneHere);
            assertThat(Vectors.dot(inBatch, single))
                    .as("one lane of one thread without graph optimizations")
                    .isGreaterThan(0.9999);
        }
        assertThat(Vectors.dot(inBatch, alone(text))).as("LangChain4j's runner").isGreaterThan(0.9999);
    }

    @Test
    void closingWhileTextsAreEmbeddedLetsThemFinishOrRefusesThemAndThenRefusesMore() throws Exception {
        var embedder = new InProcessEmbedder();
        embedder.embed(List.of("load the model first"));
        var texts = Collections.nCopies(300, "The invoice for the logo is overdue.");
        var running = CompletableFuture.supplyAsync(() -> embedder.embed(texts));
        Thread.sleep(100);

        embedder.close();

        // The model is freed only after the texts in its hands are done (freeing it under a call
        // crashes the process); texts that came too late get a clear error.
        try {
            assertThat(running.get()).hasSize(300).allSatisfy(v -> assertThat(v).hasSize(384));
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
        assertThatThrownBy(() -> embedder.embed(List.of("more")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aTuningWithoutALaneIsRefused() {
        assertThatThrownBy(() -> new InProcessEmbedder.Tuning(0, 1, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }

    private static float[] alone(String text) {
        return Vectors.unit(reference.embed(TextSegment.from(text)).content().vector());
    }
}
