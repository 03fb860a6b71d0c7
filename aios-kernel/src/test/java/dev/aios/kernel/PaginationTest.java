package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.api.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lists of runs and tasks come in pages with cursors, and the pages together hold every item once. */
class PaginationTest {
    @TempDir
    Path dir;

    TestClock clock = new TestClock();
    Kernel kernel;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/onboarding.yaml"), KernelTest.PLAYBOOK);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .agent(new KernelTest.Scorer())
                .agent(new KernelTest.Reminder())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
    }

    @AfterEach
    void stop() {
        kernel.close();
    }

    @Test
    void runsAndTasksStartedInTheSameMillisecondArePagedWithoutGapsOrRepeats() throws Exception {
        var started = new ArrayList<String>();
        for (int i = 0; i < 7; i++) {
            // The clock stands still: every run and task has the same time, so only ids order them.
            started.addAll(kernel.send(new Event(
                            "lead-" + i,
                            "lead.received",
                            "client-" + i,
                            "test",
                            clock.instant(),
                            KernelTest.JSON.readTree("{\"budget\": 1000}"),
                            "",
                            ""))
                    .started());
        }
        Eventually.await(() -> kernel.tasks(false), tasks -> tasks.size() == 7);

        var runs = all(cursor ->
                kernel.runPage(cursor.map(c -> RunQuery.all().withLimit(3).after(c))
                        .orElse(RunQuery.all().withLimit(3))));
        assertThat(runs.pages()).isEqualTo(3);
        assertThat(runs.items().stream().map(RunSummary::id).toList())
                .containsExactlyInAnyOrderElementsOf(started)
                .doesNotHaveDuplicates()
                .isEqualTo(
                        kernel.runs(RunQuery.all()).stream().map(RunSummary::id).toList());

        var tasks = all(cursor ->
                kernel.taskPage(cursor.map(c -> TaskQuery.open().withLimit(2).after(c))
                        .orElse(TaskQuery.open().withLimit(2))));
        assertThat(tasks.pages()).isEqualTo(4);
        assertThat(tasks.items().stream().map(TaskView::id).toList())
                .doesNotHaveDuplicates()
                .isEqualTo(kernel.tasks(false).stream().map(TaskView::id).toList());
        assertThat(kernel.openTasksByKind()).containsEntry("review", 7L);
    }

    @Test
    void aCursorThatIsNotOneIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> RunQuery.all().after("not a cursor"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("pass the 'next' value of the previous page as 'after'");
    }

    private record Walk<T>(List<T> items, int pages) {}

    private static <T> Walk<T> all(Function<Optional<String>, Page<T>> fetch) {
        var items = new ArrayList<T>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            var page = fetch.apply(cursor);
            pages++;
            items.addAll(page.items());
            cursor = page.next();
        } while (cursor.isPresent() && pages < 100);
        return new Walk<>(items, pages);
    }
}
