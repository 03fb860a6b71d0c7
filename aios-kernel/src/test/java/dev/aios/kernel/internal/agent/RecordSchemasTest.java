package dev.aios.kernel.internal.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.internal.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecordSchemasTest {

    enum Stage {
        NEW,
        @JsonProperty("in-progress")
        IN_PROGRESS,
        DONE
    }

    record Address(String city, String country) {}

    record Project(
            String title,
            int hours,
            Integer boxedHours,
            long views,
            short rank,
            BigInteger huge,
            double rate,
            Float ratio,
            BigDecimal price,
            boolean billable,
            Boolean boxedBillable,
            Stage stage,
            List<String> tags,
            Set<Stage> history,
            String[] aliases,
            Map<String, Integer> budgetByMonth,
            Address address,
            List<Address> sites,
            Optional<String> note,
            Optional<Address> billingAddress,
            Optional<Stage> nextStage,
            Instant createdAt,
            OffsetDateTime dueAt,
            LocalDate startsOn,
            Duration estimate,
            JsonNode extra,

            @JsonProperty("e-mail") @JsonPropertyDescription("where invoices go")
            String email) {}

    @Test
    void derivesTheSchemaOfARichRecord() {
        ObjectNode schema = RecordSchemas.of(Project.class);
        JsonNode properties = schema.get("properties");

        assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.get("type").asText()).isEqualTo("object");
        assertThat(schema.get("additionalProperties").asBoolean(true)).isFalse();
        assertThat(names(schema.get("required")))
                .containsExactly(
                        "title",
                        "hours",
                        "boxedHours",
                        "views",
                        "rank",
                        "huge",
                        "rate",
                        "ratio",
                        "price",
                        "billable",
                        "boxedBillable",
                        "stage",
                        "tags",
                        "history",
                        "aliases",
                        "budgetByMonth",
                        "address",
                        "sites",
                        "createdAt",
                        "dueAt",
                        "startsOn",
                        "estimate",
                        "extra",
                        "e-mail");

        assertThat(properties.get("title")).isEqualTo(json("{'type':'string'}"));
        assertThat(properties.get("hours"))
                .isEqualTo(json("{'type':'integer','minimum':-2147483648,'maximum':2147483647}"))
                .isEqualTo(properties.get("boxedHours"));
        assertThat(properties.get("views").get("maximum").asLong()).isEqualTo(Long.MAX_VALUE);
        assertThat(properties.get("rank")).isEqualTo(json("{'type':'integer','minimum':-32768,'maximum':32767}"));
        assertThat(properties.get("huge")).isEqualTo(json("{'type':'integer'}"));
        assertThat(properties.get("rate")).isEqualTo(json("{'type':'number'}"));
        assertThat(properties.get("ratio")).isEqualTo(json("{'type':'number'}"));
        assertThat(properties.get("price")).isEqualTo(json("{'type':'number'}"));
        assertThat(properties.get("billable"))
                .isEqualTo(json("{'type':'boolean'}"))
                .isEqualTo(properties.get("boxedBillable"));
        assertThat(properties.get("stage")).isEqualTo(json("{'type':'string','enum':['NEW','in-progress','DONE']}"));
        assertThat(properties.get("tags")).isEqualTo(json("{'type':'array','items':{'type':'string'}}"));
        assertThat(properties.get("history"))
                .isEqualTo(json("{'type':'array','items':{'type':'string','enum':['NEW','in-progress','DONE']},"
                        + "'uniqueItems':true}"));
        assertThat(properties.get("aliases")).isEqualTo(json("{'type':'array','items':{'type':'string'}}"));
        assertThat(properties.get("budgetByMonth"))
                .isEqualTo(json("{'type':'object','additionalProperties':"
                        + "{'type':'integer','minimum':-2147483648,'maximum':2147483647}}"));
        String address = "{'type':'object','properties':{'city':{'type':'string'},'country':{'type':'string'}},"
                + "'required':['city','country'],'additionalProperties':false}";
        assertThat(properties.get("address")).isEqualTo(json(address));
        assertThat(properties.get("sites")).isEqualTo(json("{'type':'array','items':" + address + "}"));
        assertThat(properties.get("note")).isEqualTo(json("{'type':['string','null']}"));
        assertThat(properties.get("billingAddress")).isEqualTo(json(address.replace("'object'", "['object','null']")));
        assertThat(properties.get("nextStage"))
                .isEqualTo(json("{'type':['string','null'],'enum':['NEW','in-progress','DONE',null]}"));
        assertThat(properties.get("createdAt")).isEqualTo(json("{'type':'string','format':'date-time'}"));
        assertThat(properties.get("dueAt")).isEqualTo(json("{'type':'string','format':'date-time'}"));
        assertThat(properties.get("startsOn")).isEqualTo(json("{'type':'string','format':'date'}"));
        assertThat(properties.get("estimate")).isEqualTo(json("{'type':'string'}"));
        assertThat(properties.get("extra")).isEqualTo(json("{}"));
        assertThat(properties.get("e-mail")).isEqualTo(json("{'type':'string','description':'where invoices go'}"));
        assertThat(properties.has("email")).isFalse();
    }

    record Node(String label, List<Node> children) {}

    record Tree(String name, Node root, Optional<Node> spare) {}

    @Test
    void refersToARecursiveRootWithHash() {
        ObjectNode schema = RecordSchemas.of(Node.class);

        assertThat(schema.at("/properties/children")).isEqualTo(json("{'type':'array','items':{'$ref':'#'}}"));
        assertThat(schema.has("$defs")).isFalse();
    }

    @Test
    void placesANestedRecursiveRecordUnderDefs() {
        ObjectNode schema = RecordSchemas.of(Tree.class);

        assertThat(schema.at("/properties/root")).isEqualTo(json("{'$ref':'#/$defs/Node'}"));
        assertThat(schema.at("/properties/spare"))
                .isEqualTo(json("{'anyOf':[{'$ref':'#/$defs/Node'},{'type':'null'}]}"));
        assertThat(schema.at("/$defs/Node/properties/children"))
                .isEqualTo(json("{'type':'array','items':{'$ref':'#/$defs/Node'}}"));
    }

    @Test
    void returnsACopyThatCallersMayChange() {
        ObjectNode first = RecordSchemas.of(Address.class);
        first.put("type", "changed");

        assertThat(RecordSchemas.of(Address.class).get("type").asText()).isEqualTo("object");
    }

    record WithObject(String name, Object anything) {}

    @SuppressWarnings("rawtypes")
    record WithRawList(List items) {}

    record WithIntKeys(Map<Integer, String> byId) {}

    record Generic<T>(T value) {}

    record Outer(Address ok, List<WithObject> inner) {}

    @Test
    void namesTheRecordAndComponentItCannotMap() {
        assertThatThrownBy(() -> RecordSchemas.of(WithObject.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("record " + WithObject.class.getName())
                .hasMessageContaining("component 'anything' (java.lang.Object)")
                .hasMessageContaining("is not supported; use one of String");
        assertThatThrownBy(() -> RecordSchemas.of(WithRawList.class))
                .hasMessageContaining("component 'items'")
                .hasMessageContaining("needs a type argument");
        assertThatThrownBy(() -> RecordSchemas.of(WithIntKeys.class))
                .hasMessageContaining("component 'byId'")
                .hasMessageContaining("use Map<String, T>");
        assertThatThrownBy(() -> RecordSchemas.of(Generic.class))
                .hasMessageContaining("component 'value'")
                .hasMessageContaining("T is a type variable");
        assertThatThrownBy(() -> RecordSchemas.of(Outer.class))
                .hasMessageContaining("record " + WithObject.class.getName())
                .hasMessageContaining("component 'anything'");
    }

    private static List<String> names(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false)
                .map(JsonNode::asText)
                .toList();
    }

    /** JSON with single quotes, for readable expectations. */
    static JsonNode json(String singleQuoted) {
        return Json.tree(singleQuoted.replace('\'', '"'));
    }
}
