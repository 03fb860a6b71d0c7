package dev.aios.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.StepStatus;
import dev.aios.kernel.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scheduled playbooks fire each firing once, through restarts, missed time and clock jumps. */
class SchedulesTest {
    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-03-02T08:59:00Z"));
    Kernel kernel;
    ConnectorsExtension connectors;

    /** Counts its calls; stands for the playbook's work. */
    public static final class Tally implements Agent<Tally.In, Tally.Out> {
        public record In(String at) {}

        public record Out(String at) {}

        @Override
        public Contract<In, Out> contract() {
            return Contract.of("tally", "1.0.0", In.class, Out.class);
        }

        @Override
        public Out run(In input, AgentContext context) {
            return new Out(input.at());
        }
    }

    void start(String trigger) throws IOException {
        start(trigger, "");
    }

    void start(String trigger, String stepOptions) throws IOException {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/p.yaml"), """
                name: tick
                trigger: %s
                steps:
                  - id: count
                    agent: tally
                    input: { at: event.data.scheduledAt }
                %s
                """.formatted(trigger, stepOptions));
        var windows = JsonNodeFactory.instance.objectNode().put("overnight", "01:00-05:00 Europe/Berlin");
        connectors = new ConnectorsExtension(
                ConnectorSettings.read(name -> name.equals("windows") ? windows : null), name -> Optional.empty());
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .agent(new Tally())
                .extension(connectors)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10))
                .build();
        kernel.start();
    }

    /** Stops aios, as a shutdown or crash would. */
    void down() {
        kernel.close();
        kernel = null;
    }

    void restart() {
        if (kernel != null) {
            kernel.close();
        }
        connectors = new ConnectorsExtension(ConnectorSettings.none(), name -> Optional.empty());
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .agent(new Tally())
                .extension(connectors)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10))
                .build();
        kernel.start();
    }

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
    }

    /** The firing times of the runs started so far, in order. */
    List<String> fired() {
        var times = new TreeSet<String>();
        for (var run : kernel.runs(RunQuery.all().withLimit(1000))) {
            times.add(kernel.run(run.id())
                    .trigger()
                    .path("data")
                    .path("scheduledAt")
                    .asText());
        }
        return List.copyOf(times);
    }

    /** Lets {@code by} pass while aios runs, looking for due firings every half minute. */
    void advance(Duration by) {
        var end = clock.instant().plus(by);
        while (clock.instant().isBefore(end)) {
            var step = Duration.between(clock.instant(), end);
            clock.advance(step.compareTo(Duration.ofSeconds(30)) < 0 ? step : Duration.ofSeconds(30));
            connectors.fireDueSchedules();
        }
    }

    @Test
    void anIntervalFiresOncePerTickOnTheSameInstantsAcrossRestarts() throws IOException {
        start("{ every: 15m }");
        advance(Duration.ofMinutes(16)); // 09:15
        connectors.fireDueSchedules();
        assertThat(fired()).containsExactly("2026-03-02T09:00:00Z", "2026-03-02T09:15:00Z");

        restart();
        connectors.fireDueSchedules();
        advance(Duration.ofMinutes(15)); // 09:30
        assertThat(fired()).containsExactly("2026-03-02T09:00:00Z", "2026-03-02T09:15:00Z", "2026-03-02T09:30:00Z");
        var run = kernel.runs(RunQuery.all()).getFirst();
        assertThat(kernel.run(run.id()).trigger().path("id").asText()).startsWith("schedule:tick:2026-03-02T09:");
        Eventually.await(() -> kernel.runs(RunQuery.all()), runs -> runs.stream()
                .allMatch(r -> r.status() == RunStatus.COMPLETED));
    }

    @Test
    void aClockThatJumpsBackFiresNothingTwice() throws IOException {
        start("{ every: 15m }");
        advance(Duration.ofMinutes(31)); // 09:30
        assertThat(fired()).hasSize(3);

        clock.advance(Duration.ofMinutes(-40)); // 08:50
        advance(Duration.ofMinutes(35)); // 09:25, before the next firing after the last one passed
        assertThat(fired()).hasSize(3);
        advance(Duration.ofMinutes(20)); // 09:45
        assertThat(fired()).hasSize(4).last().isEqualTo("2026-03-02T09:45:00Z");
    }

    @Test
    void firingsMissedWhileDownAreSkipped() throws IOException {
        start("{ every: 1h, missed: skip }");
        advance(Duration.ofMinutes(2)); // 09:01: 09:00 fires
        down();
        clock.advance(Duration.ofHours(3).plusMinutes(10)); // down over 10:00, 11:00, 12:00
        restart();
        connectors.fireDueSchedules();
        assertThat(fired()).containsExactly("2026-03-02T09:00:00Z");
        advance(Duration.ofHours(1)); // 13:01
        assertThat(fired()).containsExactly("2026-03-02T09:00:00Z", "2026-03-02T13:00:00Z");
    }

    @Test
    void theLatestMissedFiringHappensOnceByDefault() throws IOException {
        start("{ every: 1h }");
        advance(Duration.ofMinutes(2));
        down();
        clock.advance(Duration.ofHours(3).plusMinutes(10));
        restart();
        connectors.fireDueSchedules();
        assertThat(fired()).containsExactly("2026-03-02T09:00:00Z", "2026-03-02T12:00:00Z");
    }

    @Test
    void everyMissedFiringHappensWhenAsked() throws IOException {
        start("{ every: 1h, missed: all }");
        advance(Duration.ofMinutes(2));
        down();
        clock.advance(Duration.ofHours(3).plusMinutes(10));
        restart();
        connectors.fireDueSchedules();
        assertThat(fired())
                .containsExactly(
                        "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z");
        assertThat(kernel.runs(RunQuery.all()).stream().filter(run -> kernel.run(run.id())
                        .trigger()
                        .path("data")
                        .path("missed")
                        .asBoolean()))
                .as("the firings made up after the restart say they were missed")
                .hasSize(3);
    }

    @Test
    void aCronScheduleWithSecondsIsReadInItsZone() throws IOException {
        // 2026-03-02 is a Monday; 09:00:30 in Berlin is 08:00:30 UTC in winter.
        start("{ schedule: \"30 0 9 * * MON\", zone: Europe/Berlin }");
        var view = connectors.schedules(2).getFirst();
        assertThat(view.playbook()).isEqualTo("tick");
        assertThat(view.schedule()).isEqualTo("30 0 9 * * MON (Europe/Berlin)");
        assertThat(view.next())
                .containsExactly(Instant.parse("2026-03-09T08:00:30Z"), Instant.parse("2026-03-16T08:00:30Z"));

        clock.advance(Duration.ofDays(7));
        connectors.fireDueSchedules();
        assertThat(fired()).containsExactly("2026-03-09T08:00:30Z");
    }

    @Test
    void aBadScheduleRefusesThePlaybookWithTheReason() throws IOException {
        start("{ schedule: \"0 25 * * *\" }");
        assertThat(kernel.lastLoad().refused().toString()).contains("p.yaml:2", "not a valid cron expression");
        assertThat(connectors.schedules(1)).isEmpty();
    }

    @Test
    void anUndefinedWindowRefusesThePlaybookWithTheReason() throws IOException {
        start("{ every: 1h }", "    window: weekend");
        assertThat(kernel.lastLoad().refused().toString()).contains("window 'weekend' is not defined", "overnight");
    }

    @Test
    void aStepWithABatchWindowWaitsDeferredUntilTheWindowOpens() throws IOException {
        // 09:00 UTC is 10:00 in Berlin: the overnight window opens at 01:00 Berlin, 00:00 UTC.
        start("{ every: 1h }", "    window: overnight");
        advance(Duration.ofMinutes(2));
        var runId = kernel.runs(RunQuery.all()).getFirst().id();
        var deferred = Eventually.await(
                () -> kernel.run(runId),
                run -> run.steps().getFirst().status() == StepStatus.DEFERRED
                        && run.steps().getFirst().deferredBy().equals(Optional.of("window")));
        assertThat(deferred.steps().getFirst().error())
                .get()
                .asString()
                .contains("overnight", "01:00-05:00 Europe/Berlin", "2026-03-03T00:00:00Z");

        clock.advance(Duration.ofHours(15)); // 00:01 UTC, inside the window
        kernel.wake();
        Eventually.await(() -> kernel.run(runId), run -> run.status() == RunStatus.COMPLETED);
    }

    @Test
    void schedulesAreListedWithTheirNextFirings() throws IOException {
        start("{ every: 15m }");
        assertThat(connectors.schedules(3)).singleElement().satisfies(view -> {
            assertThat(view.schedule()).isEqualTo("every 15m");
            assertThat(view.missed()).isEqualTo("once");
            assertThat(view.next())
                    .containsExactly(
                            Instant.parse("2026-03-02T09:00:00Z"),
                            Instant.parse("2026-03-02T09:15:00Z"),
                            Instant.parse("2026-03-02T09:30:00Z"));
        });
    }
}
