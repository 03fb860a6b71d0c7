package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.ApprovalStep;
import dev.aios.api.Event;
import dev.aios.api.Playbook;
import dev.aios.api.Trigger;
import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An extension brings its own playbook and raises events, e.g. to put its items in the inbox. */
class ExtensionEventsTest {
    static final class Notices implements Extension {
        ExtensionHost host;

        @Override
        public void attach(ExtensionHost host) {
            this.host = host;
            host.playbook(Playbook.builder("notice")
                    .trigger(new Trigger("notice.raised", Optional.empty()))
                    .step(new ApprovalStep(
                            "acknowledge",
                            "Acknowledge the notice",
                            Optional.empty(),
                            Map.of("text", "event.data.text"),
                            Optional.empty(),
                            Optional.empty()))
                    .build());
        }
    }

    @TempDir
    Path dir;

    @Test
    void anExtensionsEventStartsItsPlaybookAndPutsATaskInTheInbox() {
        var notices = new Notices();
        var clock = new TestClock();
        try (var kernel = Kernel.builder()
                .dataDirectory(dir)
                .clock(clock)
                .extension(notices)
                .pollInterval(Duration.ofMillis(20))
                .build()) {
            kernel.start();

            var accepted = notices.host.send(new Event(
                    "n-1",
                    "notice.raised",
                    "",
                    "notices",
                    clock.instant(),
                    JsonNodeFactory.instance.objectNode().put("text", "spend is up"),
                    "",
                    ""));

            assertThat(accepted.started()).hasSize(1);
            List<TaskView> tasks = Eventually.await(() -> kernel.tasks(false), t -> !t.isEmpty());
            assertThat(tasks.getFirst().title()).isEqualTo("Acknowledge the notice");
            assertThat(tasks.getFirst().details().path("show").path("text").asText())
                    .isEqualTo("spend is up");
        }
    }
}
