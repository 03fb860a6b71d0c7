package dev.aios.kernel.internal.playbook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Event;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.PlaybookException;
import dev.aios.kernel.internal.cel.Cel;
import dev.aios.kernel.internal.cel.CelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever text, expression or event arrives, the playbook compiler, the CEL layer and the event
 * intake answer with a result or their own clear error, never anything else. Runs briefly in every
 * build (see {@code junit-platform.properties}); {@code -Djqwik.tries.default=100000} hunts longer.
 * Every input that ever broke one of them is kept below as an {@link Example}.
 */
class HostileInputFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Cel CEL = new Cel();
    private static final PlaybookCompiler COMPILER = new PlaybookCompiler(CEL);
    private static final YamlPlaybookReader READER = new YamlPlaybookReader();

    private static Path directory;
    private static Kernel kernel;

    @BeforeContainer
    static void open() throws Exception {
        directory = Files.createTempDirectory("aios-fuzz");
        Files.createDirectories(directory.resolve("playbooks"));
        Files.writeString(directory.resolve("playbooks/fuzzed.yaml"), """
                name: fuzzed
                trigger:
                  event: fuzz.event
                  when: size(string(event.data)) >= 0
                steps:
                  - id: hold
                    wait: { for: 1h }
                """);
        kernel = Kernel.builder()
                .dataDirectory(directory.resolve("data"))
                .playbookDirectory(directory.resolve("playbooks"))
                .build();
        kernel.start();
    }

    @AfterContainer
    static void close() {
        if (kernel != null) {
            kernel.close();
        }
    }

    // --- the playbook compiler -------------------------------------------------------------

    /** The fixture playbook, changed by a few edits at random places. */
    @Provide
    Arbitrary<String> mutatedPlaybooks() {
        var edit = Combinators.combine(
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, Fixtures.YAML.length() - 1),
                        Arbitraries.of(
                                ":", "-", "{", "}", "[", "]", "&a", "*a", "!!", "'", "\"", "#", "\n", "  ", "|", ">",
                                "%", "@", "\t", "\u0000", "é", "🙂", "?", ",", "<<: *a", "~", "0x", "1e999"))
                .as(Edit::new);
        return edit.list().ofMinSize(1).ofMaxSize(6).map(edits -> {
            var text = new StringBuilder(Fixtures.YAML);
            for (var e : edits) {
                int at = Math.min(e.at(), text.length());
                switch (e.kind()) {
                    case 0 -> text.insert(at, e.text());
                    case 1 ->
                        text.delete(at, Math.min(text.length(), at + e.text().length() + 3));
                    case 2 -> text.replace(at, Math.min(text.length(), at + 1), e.text());
                    default -> {
                        int lineStart = text.lastIndexOf("\n", at) + 1;
                        int lineEnd = text.indexOf("\n", at);
                        var line = text.substring(lineStart, lineEnd < 0 ? text.length() : lineEnd + 1);
                        text.insert(lineStart, line);
                    }
                }
            }
            return text.toString();
        });
    }

    private record Edit(int kind, int at, String text) {}

    @Property
    void anyEditedPlaybookCompilesOrIsRefusedWithItsProblems(@ForAll("mutatedPlaybooks") String yaml) {
        compileOrRefuse(yaml);
    }

    private static void compileOrRefuse(String yaml) {
        try {
            var parsed = READER.read("fuzz.yaml", yaml);
            COMPILER.compile(parsed.playbook(), "fuzz.yaml", parsed.lines(), Fixtures.AGENTS);
        } catch (PlaybookException refused) {
            assertThat(refused.problems()).isNotEmpty();
            refused.problems().forEach(problem -> assertThat(problem.toString()).isNotBlank());
        }
    }

    @Example
    void aBillionLaughsFileIsRefused() {
        var yaml = new StringBuilder("name: laughs\nlol0: &a0 [lol]\n");
        for (int i = 1; i < 10; i++) {
            yaml.append("lol").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                yaml.append(j == 0 ? "" : ",").append("*a").append(i - 1);
            }
            yaml.append("]\n");
        }
        compileOrRefuse(yaml.toString());
    }

    @Example
    void aFileNestedThousandsDeepIsRefused() {
        compileOrRefuse("name: deep\nsteps: " + "[".repeat(5000) + "]".repeat(5000));
    }

    // --- the CEL layer ---------------------------------------------------------------------

    @Provide
    Arbitrary<String> expressions() {
        return Arbitraries.of(
                        "event",
                        ".",
                        "data",
                        "size(",
                        ")",
                        "+",
                        "*",
                        "'a'",
                        "1",
                        "[",
                        "]",
                        "{",
                        "}",
                        ":",
                        ",",
                        "cel.bind(x, ",
                        "x",
                        "has(",
                        "?",
                        "||",
                        "&&",
                        "!",
                        "==",
                        ">",
                        ".matches(",
                        "'(a+)+$'",
                        "1.5",
                        "true",
                        "null",
                        "-",
                        "/",
                        "%",
                        ".map(e, ",
                        ".filter(e, ",
                        "e",
                        ".exists(e, ",
                        ".all(e, ",
                        "string(",
                        "int(",
                        "duration(",
                        "timestamp(",
                        "'1s'",
                        " ",
                        "x + x",
                        "9223372036854775807",
                        "dyn(",
                        "b'\\xff'",
                        "'\\u0000'",
                        "in",
                        "steps",
                        "run",
                        "trigger",
                        ".?name",
                        ".orValue(1)")
                .list()
                .ofMinSize(1)
                .ofMaxSize(25)
                .map(tokens -> String.join("", tokens));
    }

    @Property
    void anyExpressionEvaluatesOrFailsAsAPlaybookError(@ForAll("expressions") String source) throws Exception {
        evaluateOrFail(source);
    }

    private static void evaluateOrFail(String source) throws Exception {
        try {
            var expression = CEL.compile(source);
            var event = JSON.readTree("{\"data\": {\"name\": \"acme\", \"list\": [1, 2, 3], \"n\": 5}}");
            expression.eval(Map.of(
                    "event",
                    event,
                    "trigger",
                    event,
                    "steps",
                    JSON.createObjectNode(),
                    "run",
                    JSON.createObjectNode()));
        } catch (CelException | PlaybookException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Example
    void aStringDoubledBeyondItsBudgetIsStopped() throws Exception {
        var source = new StringBuilder("'aaaaaaaaaaaaaaaa'");
        for (int i = 0; i < 30; i++) {
            source = new StringBuilder("cel.bind(x, " + source + ", x + x)");
        }
        evaluateOrFail(source.toString());
    }

    // --- the event intake ------------------------------------------------------------------

    @Provide
    Arbitrary<JsonNode> data() {
        return Arbitraries.lazyOf(
                () -> Arbitraries.strings().ofMaxLength(40).map(JsonNodeFactory.instance::textNode),
                () -> Arbitraries.longs().map(JsonNodeFactory.instance::numberNode),
                () -> Arbitraries.doubles().map(JsonNodeFactory.instance::numberNode),
                () -> Arbitraries.just(JsonNodeFactory.instance.nullNode()),
                () -> data().list().ofMaxSize(4).map(items -> {
                    var array = JsonNodeFactory.instance.arrayNode();
                    items.forEach(array::add);
                    return array;
                }),
                () -> Combinators.combine(Arbitraries.strings().ofMaxLength(12), data())
                        .as((key, value) -> {
                            var object = JsonNodeFactory.instance.objectNode();
                            object.set(key, value);
                            return object;
                        }));
    }

    /** Nesting as deep as an attacker likes. */
    @Provide
    Arbitrary<JsonNode> deepData() {
        return Arbitraries.integers().between(1, 1200).map(depth -> {
            JsonNode node = JsonNodeFactory.instance.textNode("bottom");
            for (int i = 0; i < depth; i++) {
                node = i % 2 == 0
                        ? JsonNodeFactory.instance.arrayNode().add(node)
                        : JsonNodeFactory.instance.objectNode().set("k", node);
            }
            return node;
        });
    }

    @Provide
    Arbitrary<Instant> times() {
        return Arbitraries.oneOf(
                Arbitraries.longs()
                        .between(-31_557_014_167_219_200L, 31_556_889_864_403_199L)
                        .map(Instant::ofEpochSecond),
                Arbitraries.of(Instant.MIN, Instant.MAX, Instant.EPOCH, Instant.now()));
    }

    @Property
    void anyEventIsAcceptedOrRefusedAndWhatIsAcceptedCanBeRead(
            @ForAll("data") JsonNode data, @ForAll("times") Instant time, @ForAll String subject) {
        sendOrRefuse(data, time, subject);
    }

    @Property(tries = 40)
    void deeplyNestedEventsAreAcceptedOrRefusedAndWhatIsAcceptedCanBeRead(@ForAll("deepData") JsonNode data) {
        sendOrRefuse(data, Instant.now(), "deep");
    }

    private static void sendOrRefuse(JsonNode data, Instant time, String subject) {
        var wrapped = JsonNodeFactory.instance.objectNode().set("value", data);
        Event event;
        try {
            event = new Event(UUID.randomUUID().toString(), "fuzz.event", subject, "fuzz", time, wrapped, "", "");
        } catch (IllegalArgumentException refused) {
            // The API's own checks (e.g. a subject over 200 characters), answered 400 over HTTP.
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        try {
            var accepted = kernel.send(event);
            for (var runId : accepted.started()) {
                assertThat(kernel.journal(runId)).isNotEmpty();
                assertThat(kernel.run(runId).id()).isEqualTo(runId);
            }
        } catch (InvalidInputException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    @Example
    void theEventsOnceFoundToBreakTheIntakeAreRefusedOrReadable() throws Exception {
        sendOrRefuse(JSON.readTree("{}"), Instant.parse("+999999999-12-31T23:59:59Z"), "far");
        for (int depth : List.of(64, 65, 997, 998, 999)) {
            JsonNode node = JsonNodeFactory.instance.textNode("x");
            for (int i = 0; i < depth; i++) {
                node = JsonNodeFactory.instance.arrayNode().add(node);
            }
            sendOrRefuse(node, Instant.now(), "nested");
        }
    }
}
