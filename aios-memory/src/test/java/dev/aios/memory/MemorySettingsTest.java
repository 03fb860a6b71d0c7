package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.api.MemoryKind;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The memory section of aios.yaml: defaults, overrides, and errors that name the setting. */
class MemorySettingsTest {
    static JsonNode yaml(String text) throws Exception {
        return new YAMLMapper().readTree(text);
    }

    @Test
    void withoutASectionEverythingIsDefault() {
        var settings = MemorySettings.from(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
        assertThat(settings.embeddings()).isInstanceOf(MemorySettings.Embeddings.InProcess.class);
        assertThat(settings.retention().get(MemoryKind.JOURNAL).halfLife()).contains(Duration.ofDays(7));
        assertThat(settings.retention().get(MemoryKind.KNOWLEDGE).halfLife()).isEmpty();
        assertThat(settings.retentionEvery()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void readsRulesHoldsEndpointsAndLimits() throws Exception {
        var settings = MemorySettings.from(yaml("""
                embeddings: { provider: openai, baseUrl: "http://localhost:11434/v1", model: nomic-embed-text }
                retention:
                  every: 30m
                  legalHolds: [acme]
                  email: { ttl: 2y, halfLife: 60d }
                  journal: { compactAfter: 14d, halfLife: none }
                compaction:
                  model: { baseUrl: "http://localhost:11434/v1", model: llama3.2 }
                limits: { chunkChars: 800 }
                """));
        assertThat(settings.embeddings()).isInstanceOfSatisfying(MemorySettings.Embeddings.OpenAi.class, e -> {
            assertThat(e.endpoint().model()).isEqualTo("nomic-embed-text");
            assertThat(e.endpoint().apiKey()).isEmpty();
        });
        assertThat(settings.retentionEvery()).isEqualTo(Duration.ofMinutes(30));
        assertThat(settings.legalHolds()).containsExactly("acme");
        assertThat(settings.retention().get(MemoryKind.EMAIL).ttl()).contains(Duration.ofDays(730));
        assertThat(settings.retention().get(MemoryKind.JOURNAL).halfLife()).isEmpty();
        assertThat(settings.retention().get(MemoryKind.JOURNAL).compactAfter()).contains(Duration.ofDays(14));
        assertThat(settings.compactionModel())
                .map(MemorySettings.Endpoint::model)
                .isEqualTo(Optional.of("llama3.2"));
        assertThat(settings.limits().chunkChars()).isEqualTo(800);
    }

    @Test
    void mistakesNameTheSettingAndWhatItShouldBe() {
        assertThatThrownBy(() -> MemorySettings.from(yaml("embedings: {}")))
                .hasMessageContaining("memory: unknown setting 'embedings'");
        assertThatThrownBy(() -> MemorySettings.from(yaml("embeddings: { provider: cohere }")))
                .hasMessageContaining("in-process, openai or none");
        assertThatThrownBy(() -> MemorySettings.from(yaml("retention: { note: { ttl: soon } }")))
                .hasMessageContaining("memory.retention.note.ttl: 'soon' is not a duration");
        assertThatThrownBy(() -> MemorySettings.from(yaml("retention: { note: { compactAfter: 3d } }")))
                .hasMessageContaining("only event and journal items are compacted");
        assertThatThrownBy(() -> MemorySettings.from(yaml("embeddings: { provider: openai }")))
                .hasMessageContaining("memory.embeddings.model: name the model");
        assertThatThrownBy(() -> MemorySettings.from(yaml("limits: { chunkChars: 5 }")))
                .hasMessageContaining("memory.limits.chunkChars must be between 100 and 10000");
    }
}
