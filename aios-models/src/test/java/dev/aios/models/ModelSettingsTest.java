package dev.aios.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.models.ModelSettings.Route;
import dev.aios.models.ModelSettings.Wire;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The models section of aios.yaml and the conventional environment variables. */
class ModelSettingsTest {
    static JsonNode yaml(String text) throws Exception {
        return new YAMLMapper().readTree(text).path("models");
    }

    static ModelSettings read(JsonNode section, Map<String, String> env) {
        return ModelSettings.read(section, name -> Optional.ofNullable(env.get(name)));
    }

    static final JsonNode EMPTY = JsonNodeFactory.instance.objectNode();

    @Test
    void nothingConfiguredMeansNoProviderAndNoClasses() {
        var settings = read(EMPTY, Map.of("OPENAI_API_KEY", "  "));
        assertThat(settings.providers()).isEmpty();
        assertThat(settings.classes()).isEmpty();
        assertThat(settings.cacheTtl()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void anOpenAiKeyInTheEnvironmentIsEnoughAndSmallAndLargeGetWellKnownModels() {
        var settings = read(EMPTY, Map.of("OPENAI_API_KEY", "sk-1"));
        var openai = settings.providers().get("openai");
        assertThat(openai.baseUrl()).isEqualTo("https://api.openai.com/v1");
        assertThat(openai.apiKey()).isEqualTo("sk-1");
        assertThat(openai.toString()).doesNotContain("sk-1");
        assertThat(settings.classes())
                .containsEntry("small", new Route("openai", "gpt-4o-mini"))
                .containsEntry("large", new Route("openai", "gpt-4o"));
    }

    @Test
    void aBaseUrlAloneReachesALocalServerSuchAsOllama() {
        var settings = read(EMPTY, Map.of("OPENAI_BASE_URL", "http://localhost:11434/v1"));
        assertThat(settings.providers().get("openai").baseUrl()).isEqualTo("http://localhost:11434/v1");
        assertThat(settings.providers().get("openai").wire()).isEqualTo(Wire.OPENAI);
    }

    @Test
    void anthropicComesFromItsKeyAndOptionalBaseUrl() {
        var settings =
                read(EMPTY, Map.of("ANTHROPIC_API_KEY", "sk-ant", "ANTHROPIC_BASE_URL", "http://127.0.0.1:9/v1"));
        assertThat(settings.providers().get("anthropic").baseUrl()).isEqualTo("http://127.0.0.1:9/v1");
        assertThat(settings.classes().get("small")).isEqualTo(new Route("anthropic", "claude-haiku-4-5"));
    }

    @Test
    void theSectionConfiguresProvidersClassesPricesBudgetsAndTheCache() throws Exception {
        var settings = read(yaml("""
                        models:
                          providers:
                            local: { wire: openai, baseUrl: "http://localhost:11434/v1", timeout: 2m }
                            anthropic: {}
                          classes:
                            small: local/llama3.2
                            large: anthropic/claude-sonnet-4-5
                            drafting: anthropic/claude-haiku-4-5
                          prices:
                            llama3.2: { input: 0, output: 0 }
                          budgets:
                            perRun: 0.50
                            perDay: "$5"
                            agents: { draft-proposal: 0.2 }
                          cache: { ttl: 0 }
                        """), Map.of("ANTHROPIC_API_KEY", "sk-ant"));
        assertThat(settings.providers().keySet()).containsExactly("local", "anthropic");
        assertThat(settings.providers().get("local").timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.providers().get("anthropic").apiKey()).isEqualTo("sk-ant");
        assertThat(settings.classes()).containsEntry("drafting", new Route("anthropic", "claude-haiku-4-5"));
        assertThat(settings.prices()).containsKey("llama3.2");
        assertThat(settings.budgets().perRun())
                .hasValueSatisfying(v -> assertThat(v).isEqualByComparingTo("0.5"));
        assertThat(settings.budgets().perDay())
                .hasValueSatisfying(v -> assertThat(v).isEqualByComparingTo("5"));
        assertThat(settings.budgets().agents()).containsKey("draft-proposal");
        assertThat(settings.cacheTtl()).isZero();
    }

    @Test
    void mistakesAreNamedWithWhatToWriteInstead() {
        assertThatThrownBy(() -> read(yaml("models: { budget: { perRun: 1 } }"), Map.of()))
                .hasMessageContaining("unknown setting 'budget'");
        assertThatThrownBy(() -> read(yaml("models: { classes: { small: gpt-4o } }"), Map.of("OPENAI_API_KEY", "k")))
                .hasMessageContaining("models.classes.small")
                .hasMessageContaining("PROVIDER/MODEL");
        assertThatThrownBy(
                        () -> read(yaml("models: { classes: { small: groq/llama } }"), Map.of("OPENAI_API_KEY", "k")))
                .hasMessageContaining("provider 'groq' is not configured; configured providers: [openai]");
        assertThatThrownBy(() -> read(yaml("models: { providers: { groq: { baseUrl: 'http://x' } } }"), Map.of()))
                .hasMessageContaining("models.providers.groq")
                .hasMessageContaining("wire: openai");
        assertThatThrownBy(() -> read(yaml("models: { cache: { ttl: soon } }"), Map.of()))
                .hasMessageContaining("models.cache.ttl")
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() -> read(yaml("models: { budgets: { perRun: lots } }"), Map.of()))
                .hasMessageContaining("models.budgets.perRun")
                .hasMessageContaining("US dollars");
    }
}
