package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.KnowledgeKind;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.TestClock;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A step's provenance names the memory it used; knowledge keeps every version. */
class ProvenanceTest {
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
    void aStepRecordsWhatItRecalledAndWhichRecordVersionItRead() throws Exception {
        aios = new MemoryHarness(
                dir, new TestClock(), MemorySettings.defaults(), List.of(new LookUp()), LookUp.PLAYBOOK);
        var memory = aios.operator();
        var note = memory.remember(Remember.of(MemoryKind.NOTE, "acme", "Acme wants the logo in teal and gold."));
        memory.put(
                KnowledgeKind.CUSTOMER,
                "customer/acme",
                "acme",
                MemoryHarness.JSON.readTree("{\"plan\": \"starter\"}"));
        memory.put(
                KnowledgeKind.CUSTOMER,
                "customer/acme",
                "acme",
                MemoryHarness.JSON.readTree("{\"plan\": \"standard\"}"));
        var unchanged = memory.put(
                KnowledgeKind.CUSTOMER,
                "customer/acme",
                "acme",
                MemoryHarness.JSON.readTree("{\"plan\": \"standard\"}"));
        assertThat(unchanged.version())
                .as("the same content writes no new version")
                .isEqualTo(2);
        aios.settle();

        var run = aios.send("question.asked", "acme", "{\"need\": \"logo colours teal gold\"}")
                .getFirst();
        Eventually.await(() -> aios.kernel.run(run).status() == RunStatus.COMPLETED);

        var step = aios.kernel.run(run).steps().getFirst();
        assertThat(step.output().path("record").asText()).isEqualTo("customer/acme@2");
        var kinds = step.provenance().stream().map(p -> p.path("kind").asText()).toList();
        assertThat(kinds).containsExactly("recall", "knowledge", "remember");
        var recall = step.provenance().getFirst().path("detail");
        assertThat(recall.path("query").asText()).isEqualTo("logo colours teal gold");
        assertThat(recall.path("items").get(0).path("id").asText()).isEqualTo(note.id());
        assertThat(recall.path("items").get(0).path("version").asInt()).isEqualTo(1);
        assertThat(recall.path("items").get(0).path("score").asDouble()).isPositive();
        assertThat(step.provenance().get(1).path("detail").path("record").asText())
                .isEqualTo("customer/acme@2");

        // The recalled note counts as used: its decay starts again from now. (The step's own new note
        // matches the same words and may rank above it, so the note is looked up by its id.)
        var again = memory.recall(
                MemoryQuery.of("logo teal gold").withSubject("acme").withKinds(MemoryKind.NOTE));
        assertThat(again.items())
                .filteredOn(hit -> hit.id().equals(note.id()))
                .singleElement()
                .satisfies(hit -> assertThat(hit.why().explanation()).contains("used 0 seconds ago"));
        assertThat(memory.history("customer/acme"))
                .extracting(r -> r.content().path("plan").asText())
                .containsExactly("starter", "standard");
        assertThat(memory.get("customer/acme", 1).orElseThrow().author()).isEqualTo("operator");
    }
}
