package dev.aios.kernel.internal.playbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class PlaybookJsonTest {

    private final YamlPlaybookReader reader = new YamlPlaybookReader();

    @Test
    void roundTripsExactly() throws Exception {
        var playbook = Fixtures.built();
        var json = PlaybookJson.toJson(playbook);
        var stored = new ObjectMapper().readTree(json.toString());
        assertThat(PlaybookJson.fromJson(stored)).isEqualTo(playbook);
        assertThat(json.get("steps").get(0).get("kind").asText()).isEqualTo("agent");
        assertThat(json.get("steps").get(1).get("next").asText()).isEqualTo("decline");
    }

    @Test
    void yamlAndBuilderGetTheSameVersion() {
        var fromYaml = reader.read("design.yaml", Fixtures.YAML).playbook();
        assertThat(PlaybookJson.version(fromYaml))
                .isEqualTo(PlaybookJson.version(Fixtures.built()))
                .matches("[0-9a-f]{12}");
    }

    @Test
    void reorderingKeysInsideAStepKeepsTheVersion() {
        var reordered = Fixtures.YAML.replace("""
                  - id: sprint
                    wait:
                      for: 72h
                """, """
                  - wait:
                      for: 72h
                    id: sprint
                """);
        assertThat(reordered).isNotEqualTo(Fixtures.YAML);
        assertThat(PlaybookJson.version(reader.read("d.yaml", reordered).playbook()))
                .isEqualTo(PlaybookJson.version(Fixtures.built()));
    }

    @Test
    void changingAnyExpressionChangesTheVersion() {
        var changed = Fixtures.YAML.replace("steps.qualify.score >= 50", "steps.qualify.score >= 51");
        assertThat(PlaybookJson.version(reader.read("d.yaml", changed).playbook()))
                .isNotEqualTo(PlaybookJson.version(Fixtures.built()));
    }

    @Test
    void refusesJsonThatIsNotAPlaybook() throws Exception {
        var json = new ObjectMapper()
                .readTree("{\"name\":\"x\",\"description\":\"\",\"trigger\":{\"event\":\"a\"},"
                        + "\"steps\":[{\"kind\":\"teleport\",\"id\":\"a\"}]}");
        assertThatThrownBy(() -> PlaybookJson.fromJson(json)).hasMessageContaining("unknown step kind 'teleport'");
    }
}
