package dev.aios.models.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {
    static final ObjectMapper JSON = new ObjectMapper();

    Map<String, JsonNode> roots() throws Exception {
        return Map.of(
                "input", JSON.readTree("{\"name\": \"Ada\", \"lead\": {\"budget\": 4000}, \"tags\": [\"a\", \"b\"]}"),
                "run", JSON.readTree("{\"subject\": \"acme\"}"));
    }

    @Test
    void placeholdersAreFilledFromTheInputAndTheRun() throws Exception {
        var template = Template.of("Hi {{input.name}} ({{ run.subject }}): {{input.lead.budget}} {{input.tags}}");
        assertThat(template.render(roots())).isEqualTo("Hi Ada (acme): 4000 [\"a\",\"b\"]");
    }

    @Test
    void aMissingValueIsLeftEmptyAndDollarSignsStayAsTheyAre() throws Exception {
        assertThat(Template.of("[{{input.phone}}] costs $5 {{input.lead}}").render(roots()))
                .isEqualTo("[] costs $5 {\"budget\":4000}");
    }

    @Test
    void unknownRootsAndUnclosedPlaceholdersAreRefusedWhenThePlaybookLoads() {
        assertThatThrownBy(() -> Template.of("{{event.data.name}}"))
                .hasMessageContaining("starts at 'event'")
                .hasMessageContaining("input");
        assertThatThrownBy(() -> Template.of("Hi {{input.name")).hasMessageContaining("not closed");
        assertThatThrownBy(() -> Template.of("{{input name}}")).hasMessageContaining("is not a path");
    }
}
