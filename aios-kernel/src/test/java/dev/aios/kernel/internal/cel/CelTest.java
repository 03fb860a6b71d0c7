package dev.aios.kernel.internal.cel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CelTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Cel cel = new Cel();

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static final Map<String, JsonNode> VARS = Map.of(
            "event",
            json("{'subject': 'acme', 'data': {'budget': 100, 'price': 2.5, 'tags': ['vip', 'eu'],"
                    + " 'contact': {'email': 'Ann@Acme.example'}, 'note': null, 'when': '2025-01-31T09:00:00Z'}}"),
            "steps",
            json("{'qualify': {'score': 82, 'confidence': 0.65, 'plan': 'pro'}}"),
            "run",
            json("{'subject': 'acme'}"));

    private JsonNode eval(String source) {
        return cel.compile(source).eval(VARS);
    }

    @Test
    void readsNestedObjectsAndLists() {
        assertThat(eval("event.data.contact.email")).isEqualTo(json("'Ann@Acme.example'"));
        assertThat(eval("event.data.tags[1]")).isEqualTo(json("'eu'"));
        assertThat(eval("size(event.data.tags)")).isEqualTo(json("2"));
        assertThat(eval("{'company': event.subject, 'tags': event.data.tags}"))
                .isEqualTo(json("{'company': 'acme', 'tags': ['vip', 'eu']}"));
    }

    @Test
    void keepsIntsAndDoublesApartButComparesThem() {
        assertThat(eval("event.data.budget").isIntegralNumber()).isTrue();
        assertThat(eval("event.data.price").isDouble()).isTrue();
        assertThat(eval("event.data.budget * 2")).isEqualTo(json("200"));
        assertThat(cel.compile("event.data.budget > 99.5").test(VARS)).isTrue();
        assertThat(cel.compile("steps.qualify.confidence < 1").test(VARS)).isTrue();
        assertThat(cel.compile("event.data.budget == 100.0").test(VARS)).isTrue();
    }

    @Test
    void supportsMacrosNullAndStringFunctions() {
        assertThat(cel.compile("has(event.data.contact) && !has(event.data.phone)")
                        .test(VARS))
                .isTrue();
        assertThat(cel.compile("event.data.tags.exists(t, t == 'vip')").test(VARS))
                .isTrue();
        assertThat(cel.compile("event.data.tags.all(t, size(t) == 2)").test(VARS))
                .isFalse();
        assertThat(eval("event.data.tags.map(t, t.upperAscii())")).isEqualTo(json("['VIP', 'EU']"));
        assertThat(eval("event.data.tags.filter(t, t.startsWith('e'))")).isEqualTo(json("['eu']"));
        assertThat(eval("event.data.contact.email.lowerAscii().split('@')[1]")).isEqualTo(json("'acme.example'"));
        assertThat(eval("math.greatest(event.data.budget, 500)")).isEqualTo(json("500"));
        assertThat(cel.compile("event.data.note == null").test(VARS)).isTrue();
        assertThat(eval("event.data.note").isNull()).isTrue();
    }

    @Test
    void convertsTimestampsAndDurations() {
        var at = cel.compile("timestamp(event.data.when) + duration('72h')");
        assertThat(at.evalInstant(VARS)).isEqualTo(Instant.parse("2025-02-03T09:00:00Z"));
        assertThat(at.eval(VARS)).isEqualTo(json("'2025-02-03T09:00:00Z'"));
        assertThat(cel.compile("event.data.when").evalInstant(VARS)).isEqualTo(Instant.parse("2025-01-31T09:00:00Z"));
        assertThat(cel.compile("duration('90m')").evalDuration(VARS)).isEqualTo(Duration.ofMinutes(90));
        assertThat(cel.compile("duration('90m')").eval(VARS)).isEqualTo(json("'PT1H30M'"));
        assertThat(cel.compile("'2d'").evalDuration(VARS)).isEqualTo(Duration.ofDays(2));
        assertThat(cel.compile("'P3D'").evalDuration(VARS)).isEqualTo(Duration.ofDays(3));
        assertThat(cel.compile("timestamp(event.data.when) > timestamp('2025-01-01T00:00:00Z')")
                        .test(VARS))
                .isTrue();
    }

    @Test
    void writesUnsignedAndBytesResultsAsJson() {
        assertThat(eval("7u")).isEqualTo(json("7"));
        assertThat(eval("b'hi'")).isEqualTo(json("'aGk='"));
    }

    @Test
    void compileErrorsCarryTheColumnAndTheSource() {
        assertThatThrownBy(() -> cel.compile("event.data.budget >"))
                .isInstanceOf(CelException.class)
                .hasMessageContaining("`event.data.budget >`")
                .hasMessageContaining("column 20");
        assertThatThrownBy(() -> cel.compile("budget > 5"))
                .hasMessageContaining("unknown name 'budget'")
                .hasMessageContaining("event, trigger, steps, run, input, output");
        assertThatThrownBy(() -> cel.compile("Acme Corp")).hasMessageContaining("to write text, quote it: 'Acme Corp'");
    }

    @Test
    void evalErrorsNameTheMissingKey() {
        assertThatThrownBy(() -> eval("event.data.missing > 5"))
                .isInstanceOf(CelException.class)
                .hasMessageContaining("`event.data.missing > 5`")
                .hasMessageContaining("'missing'")
                .hasMessageContaining("has(");
    }

    @Test
    void aPathOfFieldsReadsWhatTheSameValueReadByCelWouldBe() {
        // [x][0] is not a plain path, so CEL itself evaluates it.
        for (var path : java.util.List.of(
                "event", "event.data", "event.data.contact", "event.data.note", "event.data.budget", "steps.qualify")) {
            assertThat(eval(path)).as(path).isEqualTo(eval("[" + path + "][0]"));
        }
        assertThat(eval("event.data.budget").isIntegralNumber()).isTrue();
    }

    @Test
    void aPathThroughAMissingFieldOrANonObjectFailsAsCelSays() {
        assertThatThrownBy(() -> eval("event.data.missing"))
                .isInstanceOf(CelException.class)
                .hasMessageContaining("'missing'");
        assertThatThrownBy(() -> eval("event.data.note.text")).isInstanceOf(CelException.class);
        assertThatThrownBy(() -> eval("event.subject.text")).isInstanceOf(CelException.class);
        assertThatThrownBy(() -> cel.compile("output.text").eval(VARS))
                .isInstanceOf(CelException.class)
                .hasMessageContaining("uses output, which is not available here");
    }

    @Test
    void variablesNotSuppliedAreAbsent() {
        var expression = cel.compile("output.confidence < 0.7 || steps.qualify.score > 50");
        assertThat(expression.variables()).containsExactlyInAnyOrder("output", "steps");
        assertThatThrownBy(() -> expression.test(VARS))
                .isInstanceOf(CelException.class)
                .hasMessageContaining("uses output, which is not available here");
    }

    @Test
    void loopVariablesAreNotMistakenForRunVariables() {
        assertThat(cel.compile("event.data.tags.exists(run, run == 'vip')").variables())
                .containsExactly("event");
    }

    @Test
    void conditionsMustYieldBool() {
        var expression = cel.compile("event.subject");
        assertThat(expression.mayYieldBool()).isTrue();
        assertThatThrownBy(() -> expression.test(VARS))
                .hasMessageContaining("must yield true or false, but yielded string \"acme\"");
        assertThat(cel.compile("'yes'").mayYieldBool()).isFalse();
        assertThat(cel.compile("'yes'").resultType()).isEqualTo("string");
    }

    @Test
    void wrongKindsOfTimeAreRefusedClearly() {
        assertThatThrownBy(() -> cel.compile("event.data.budget").evalInstant(VARS))
                .hasMessageContaining("must yield a time, but yielded int 100");
        assertThatThrownBy(() -> cel.compile("'soon'").evalDuration(VARS))
                .hasMessageContaining("must yield a duration, but yielded string \"soon\"");
    }

    @Test
    void cachesCompiledExpressionsBySource() {
        assertThat(cel.compile("event.subject")).isSameAs(cel.compile("event.subject"));
    }

    @Test
    void optionalFieldsReadWithADefault() throws Exception {
        var data = new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"data\": {\"name\": \"Ada\"}}");
        var vars = java.util.Map.of("event", data);
        var cel = new Cel();
        org.assertj.core.api.Assertions.assertThat(cel.compile("event.data.?name.orValue('none')")
                        .eval(vars)
                        .asText())
                .isEqualTo("Ada");
        org.assertj.core.api.Assertions.assertThat(cel.compile("event.data.?email.orValue('none')")
                        .eval(vars)
                        .asText())
                .isEqualTo("none");
    }
}
