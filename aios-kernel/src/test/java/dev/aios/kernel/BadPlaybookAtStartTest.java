package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A playbook whose CEL does not compile is refused by the start itself, with its file and line,
 * though CEL is made ready on another thread while the store opens: the operator reads the refusal
 * in what {@code aios up} prints, not at the first event.
 */
class BadPlaybookAtStartTest {
    @TempDir
    Path dir;

    private Kernel kernel;

    @AfterEach
    void close() {
        if (kernel != null) {
            kernel.close();
        }
    }

    @Test
    void aConditionThatDoesNotCompileIsRefusedAtStartWithItsFileAndLine() throws Exception {
        var playbooks = Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(playbooks.resolve("good.yaml"), """
                name: good
                trigger:
                  event: lead.received
                  when: "event.data.amount > 100"
                steps:
                  - id: hold
                    wait: { for: 1h }
                """);
        Files.writeString(playbooks.resolve("quoting.yaml"), """
                name: quoting
                trigger: lead.received
                steps:
                  - id: decide
                    branch:
                      - when: "event.data.amount >"
                        goto: hold
                    otherwise: hold
                  - id: hold
                    wait: { for: 1h }
                """);

        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .playbookDirectory(playbooks)
                .build();

        assertThat(kernel.lastLoad().refused())
                .singleElement()
                .asString()
                .containsPattern("quoting\\.yaml:[4-6]\\b")
                .contains("event.data.amount >");
        assertThat(kernel.lastLoad().loaded())
                .extracting(PlaybookInfo::name)
                .contains("good")
                .doesNotContain("quoting");
    }
}
