package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.internal.Wire;
import dev.aios.kernel.internal.store.WorkKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kinds and statuses are enums whose wire names are what is stored and sent; wherever Javadoc
 * lists them ({@code {@link TaskKind}: review, draft, …}) the list is exactly the enum's.
 */
class WireNamesTest {
    private static final Map<String, Class<? extends Enum<?>>> ENUMS = Map.of(
            "RunStatus", RunStatus.class,
            "StepKind", StepKind.class,
            "StepStatus", StepStatus.class,
            "AttemptOutcome", AttemptOutcome.class,
            "TaskKind", TaskKind.class,
            "TaskStatus", TaskStatus.class,
            "TaskOption", TaskOption.class,
            "WorkKind", WorkKind.class);

    /** {@code {@link X}: a, b or c}, the list possibly running over several Javadoc lines. */
    private static final Pattern LISTED = Pattern.compile(
            "\\{@link (\\w+)}: ([A-Za-z-]+(?:,\\s+(?:\\*\\s+)?[A-Za-z-]+)*\\s+(?:\\*\\s+)?or\\s+[A-Za-z-]+)");

    @Test
    void everyListInTheJavadocIsTheEnumsWireNames() throws Exception {
        var listed = new ArrayList<String>();
        try (var sources = Files.walk(Path.of("src/main/java"))) {
            for (var file : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                var matcher = LISTED.matcher(Files.readString(file));
                while (matcher.find()) {
                    var type = ENUMS.get(matcher.group(1));
                    if (type == null) {
                        continue;
                    }
                    var names = Arrays.stream(matcher.group(2).split(",|\\s+or\\s+"))
                            .map(n -> n.replace("*", "").strip())
                            .toList();
                    assertThat(names)
                            .as(file + " lists " + matcher.group(1))
                            .containsExactlyInAnyOrderElementsOf(wireNames(type));
                    listed.add(matcher.group(1));
                }
            }
        }
        assertThat(listed).contains("StepKind", "StepStatus", "AttemptOutcome", "TaskKind", "TaskStatus", "TaskOption");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "RunStatus",
                "StepKind",
                "StepStatus",
                "AttemptOutcome",
                "TaskKind",
                "TaskStatus",
                "TaskOption",
                "WorkKind"
            })
    void wireNamesReadBackAndPrintAsStored(String name) throws Exception {
        var type = ENUMS.get(name);
        for (var constant : type.getEnumConstants()) {
            String wire = Wire.name(constant);
            var parsed = type.getMethod("fromWire", String.class).invoke(null, wire);
            assertThat(parsed).isSameAs(constant);
            assertThat(type.getMethod("wire").invoke(constant)).isEqualTo(wire);
            assertThat(dev.aios.kernel.internal.Json.text(constant)).isEqualTo('"' + wire + '"');
        }
    }

    @Test
    void anUnknownWireNameIsAClearError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TaskKind.fromWire("chore"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("unknown task kind 'chore'; use one of review, draft, approval, dead-letter, compensation");
    }

    private static List<String> wireNames(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(Wire::name).toList();
    }
}
