package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.testing.Poll;
import dev.aios.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A playbook scheduled every second, in a real server process killed with SIGKILL three times and
 * restarted: every firing from the first to the last starts exactly one run, none lost to the kills
 * or the time the server was down, none doubled.
 */
class ScheduleCrashTest {
    static final String TICK = """
            name: tick
            trigger: { every: 1s, missed: all }
            steps:
              - id: count
                emit:
                  type: tick.counted
                  data: { at: event.data.scheduledAt }
            """;

    @TempDir
    Path directory;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void noFiringIsLostOrDoubledAcrossThreeKills() throws Exception {
        var playbooks = Files.createDirectories(directory.resolve("playbooks"));
        Files.writeString(playbooks.resolve("tick.yaml"), TICK);
        try (var server = ServerProcess.builder(directory)
                .arguments("--playbooks", playbooks.toString(), "--no-examples")
                .start()) {
            var listed = server.http().get("/api/schedules").expect(200).json();
            assertThat(listed.get(0).path("schedule").asText()).isEqualTo("every 1s");
            for (int kill = 1; kill <= 3; kill++) {
                int before = runs(server).size();
                Poll.until(
                        "more firings before kill",
                        () -> runs(server).size(),
                        n -> n >= before + 3,
                        Duration.ofSeconds(60),
                        () -> server.explain("server log"));
                server.killHard();
                Thread.sleep(1500); // down over at least one firing
                server.restart();
            }
            int before = runs(server).size();
            Poll.until(
                    "firings after the last restart",
                    () -> runs(server).size(),
                    n -> n >= before + 3,
                    Duration.ofSeconds(60),
                    () -> server.explain("server log"));
            server.stop();
            server.restart();

            var times = new ArrayList<Instant>();
            for (var runId : runs(server)) {
                var run = server.http().get("/api/runs/" + runId).expect(200).json();
                times.add(Instant.parse(
                        run.path("trigger").path("data").path("scheduledAt").asText()));
            }
            times.sort(null);
            assertThat(times).doesNotHaveDuplicates();
            var expected = new ArrayList<Instant>();
            for (var t = times.getFirst(); !t.isAfter(times.getLast()); t = t.plusSeconds(1)) {
                expected.add(t);
            }
            assertThat(times)
                    .as("every firing from the first to the last, once")
                    .isEqualTo(expected);
        }
    }

    private static List<String> runs(ServerProcess server) {
        var ids = new ArrayList<String>();
        server.http()
                .get("/api/runs?playbook=tick&limit=1000")
                .expect(200)
                .json()
                .forEach(run -> ids.add(run.path("id").asText()));
        return ids;
    }
}
