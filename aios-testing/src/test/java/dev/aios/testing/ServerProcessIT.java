package dev.aios.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerProcessIT {
    @TempDir
    Path directory;

    @Test
    void aKilledServerIsGoneAndRestartsOnTheSameDataDirectoryAndPort() {
        try (var server = fake().start()) {
            assertThat(server.http()
                            .get("/health")
                            .expect(200)
                            .json()
                            .path("starts")
                            .asInt())
                    .isEqualTo(1);
            long firstPid = server.pid();
            int port = server.port();

            server.killHard();

            assertThat(server.isAlive()).isFalse();
            assertThat(ProcessHandle.of(firstPid).filter(ProcessHandle::isAlive))
                    .isEmpty();

            server.restart();

            assertThat(server.port()).isEqualTo(port);
            assertThat(server.pid()).isNotEqualTo(firstPid);
            assertThat(server.http()
                            .get("/health")
                            .expect(200)
                            .json()
                            .path("starts")
                            .asInt())
                    .isEqualTo(2);
            assertThat(server.output()).contains("fake server is up").doesNotContain("=== start 1");
        }
    }

    @Test
    void stopTerminatesGracefully() {
        try (var server = fake().start()) {
            int exitCode = server.stop();

            assertThat(exitCode).isIn(0, 143);
            assertThat(server.output()).contains("stopped");
            assertThat(server.isAlive()).isFalse();
        }
    }

    @Test
    void aServerThatExitsAtStartFailsWithItsLogTail() {
        var error = catchThrowableOfType(
                AssertionError.class, () -> fake().arguments("--fail-at-start").start());

        assertThat(error)
                .hasMessageContaining("exited with code 3")
                .hasMessageContaining("cannot start: the port is haunted");
    }

    @Test
    void closeKillsAServerStillRunning() {
        long pid;
        try (var server = fake().start()) {
            pid = server.pid();
        }

        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void theServerGetsTheEnvironmentItIsGiven() {
        try (var server = fake().environment("FAKE_GREETING", "hello").start()) {
            assertThat(server.http()
                            .get("/health")
                            .expect(200)
                            .json()
                            .path("greeting")
                            .asText())
                    .isEqualTo("hello");
        }
    }

    @Test
    void whatTheServerPrintsIsLoggedEvenWhileItCannotWriteFiles() throws Exception {
        try (var server = fake().start()) {
            var prlimit = new ProcessBuilder("prlimit", "--pid", Long.toString(server.pid()), "--fsize=0:")
                    .inheritIO()
                    .start();
            assertThat(prlimit.waitFor()).isZero();

            server.http().get("/say?still-heard").expect(204);

            Poll.until(
                    "the server's output to reach the log",
                    server::output,
                    output -> output.contains("still-heard"),
                    Duration.ofSeconds(10));
        }
    }

    private ServerProcess.Builder fake() {
        return ServerProcess.builder(directory).mainClass(FakeServer.class.getName());
    }
}
