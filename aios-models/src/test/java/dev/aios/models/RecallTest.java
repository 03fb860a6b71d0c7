package dev.aios.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.KnowledgeKind;
import dev.aios.api.KnowledgeRecord;
import dev.aios.api.Memory;
import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryItem;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Recall;
import dev.aios.api.Remember;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.StepScope;
import dev.aios.kernel.spi.StepService;
import dev.aios.testing.ScriptedModelServer.Reply;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code {{memory}}} in a prompt holds what the memory module recalls for the step. */
class RecallTest {
    static final String PLAYBOOK = """
            name: leads
            trigger: lead.received
            agents:
              - name: write-note
                kind: prompt
                prompt: "What we know:\\n{{memory}}\\nWrite a note to {{input.company}}."
                recall: { query: "{{input.company}} preferences", k: 3, sameSubject: true }
            steps:
              - id: note
                agent: write-note
                input: { company: event.data.company }
            """;

    /** Memory as the memory module offers it to steps; only recall is used here. */
    static final class OneNoteMemory implements Memory, Extension {
        final List<MemoryQuery> queries = new CopyOnWriteArrayList<>();
        final JsonNode metadata;

        OneNoteMemory() {
            this(JsonNodeFactory.instance.objectNode());
        }

        OneNoteMemory(JsonNode metadata) {
            this.metadata = metadata;
        }

        @Override
        public void attach(ExtensionHost host) {
            host.service(new StepService<Memory>() {
                @Override
                public Class<Memory> type() {
                    return Memory.class;
                }

                @Override
                public Memory open(StepScope scope) {
                    return OneNoteMemory.this;
                }
            });
        }

        @Override
        public Recall recall(MemoryQuery query) {
            queries.add(query);
            var why = new MemoryHit.Why(OptionalInt.of(1), OptionalInt.empty(), 1, 1, 0.5, "first by text");
            return new Recall(
                    List.of(new MemoryHit(
                            "n-1",
                            1,
                            0,
                            MemoryKind.NOTE,
                            "acme",
                            Instant.parse("2026-02-01T10:00:00Z"),
                            "Prefers calls on Tuesdays",
                            metadata,
                            0.9,
                            why)),
                    false);
        }

        @Override
        public MemoryItem remember(Remember item) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long forget(String subject) {
            throw new UnsupportedOperationException();
        }

        @Override
        public KnowledgeRecord put(KnowledgeKind kind, String id, String subject, JsonNode content) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<KnowledgeRecord> get(String id) {
            return Optional.empty();
        }

        @Override
        public Optional<KnowledgeRecord> get(String id, int version) {
            return Optional.empty();
        }

        @Override
        public List<KnowledgeRecord> history(String id) {
            return List.of();
        }
    }

    @TempDir
    Path dir;

    ModelsHarness aios;

    @AfterEach
    void stop() {
        aios.close();
    }

    @Test
    void thePromptCarriesWhatMemoryRecalledForTheStep() {
        var memory = new OneNoteMemory();
        aios = new ModelsHarness(dir);
        aios.configure = builder -> builder.extension(memory);
        aios.start(aios.openAi(), PLAYBOOK);
        aios.provider.enqueue(Reply.json("{\"text\": \"Call on Tuesday\", \"confidence\": 0.9}"));

        String run = aios.send("acme", "{\"company\": \"Acme\"}");
        aios.until(run, r -> r.status() == RunStatus.COMPLETED);

        // the first recall fills {{memory}}; the next looks for the operator's corrections
        assertThat(memory.queries.getFirst()).satisfies(query -> {
            assertThat(query.text()).isEqualTo("Acme preferences");
            assertThat(query.k()).isEqualTo(3);
            assertThat(query.subject()).contains("acme");
        });
        assertThat(aios.provider.requests().getFirst().body().toString())
                .contains("- [note, acme, 2026-02-01] Prefers calls on Tuesdays")
                .contains("Write a note to Acme.");
    }

    @Test
    void theOperatorsCorrectionsOfTheAgentAreShownToTheModelAsExamples() {
        var correction = JsonNodeFactory.instance
                .objectNode()
                .put("about", "correction")
                .put("agent", "write-note")
                .put("task", "t-7");
        correction.putObject("input").put("company", "Initech");
        correction.putObject("output").put("text", "Dear Initech team, ...").put("confidence", 1.0);
        var memory = new OneNoteMemory(correction);
        aios = new ModelsHarness(dir);
        aios.configure = builder -> builder.extension(memory);
        aios.start(aios.openAi(), PLAYBOOK);
        aios.provider.enqueue(Reply.json("{\"text\": \"Dear Acme team\", \"confidence\": 0.9}"));

        String run = aios.send("acme", "{\"company\": \"Acme\"}");
        var done = aios.until(run, r -> r.status() == RunStatus.COMPLETED);

        assertThat(aios.provider.requests().getFirst().body().toString())
                .contains("The operator corrected earlier answers")
                .contains("Dear Initech team, ...");
        assertThat(done.steps().getFirst().provenance())
                .anySatisfy(note -> assertThat(note.path("kind").asText()).isEqualTo("examples"));
    }
}
