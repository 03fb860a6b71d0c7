package dev.aios.memory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.List;
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

    private static float[] alone(String text) {
        return Vectors.unit(reference.embed(TextSegment.from(text)).content().vector());
    }
}
