package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.testing.ServerProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C or SIGTERM while {@code aios up} is still starting (after a crash that start can take
 * seconds): aios finishes starting, stops what it started as it would after the banner, says
 * "stopped", and starts again on the same data directory.
 */
class StopWhileStartingIT {
    @TempDir
    Path directory;

    @Test
    void aStopAskedForWhileAiosStartsStopsItCleanly() throws Exception {
        var data = directory.resolve("data");
        var argumentFile = directory.resolve("java.args");
        Files.writeString(
                argumentFile,
                "-cp\n\"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n",
                StandardCharsets.UTF_8);
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var java = ProcessHandle.current().info().command().orElseThrow();
        var process = new ProcessBuilder(
                        java,
                        "@" + argumentFile,
                        ServerProcess.AIOS_MAIN,
                        "up",
                        "--data",
                        data.toString(),
                        "--port",
                        Integer.toString(port))
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        var lines = new ArrayList<String>();
        var startingSeen = new CompletableFuture<Void>();
        var reader = Thread.ofPlatform().start(() -> {
            try (var output =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = output.readLine(); line != null; line = output.readLine()) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    // Logged while the kernel is built, well before the banner.
                    if (line.contains("discovered agent")) {
                        startingSeen.complete(null);
                    }
                }
            } catch (java.io.IOException e) {
                // the process is gone
            }
            startingSeen.complete(null);
        });

        startingSeen.get(3, TimeUnit.MINUTES);
        process.toHandle().destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("aios ended after SIGTERM")
                .isTrue();
        reader.join(5_000);

        List<String> printed;
        synchronized (lines) {
            printed = List.copyOf(lines);
        }
        String output = String.join("\n", printed);
        assertThat(printed).as(output).contains("stopped");
        assertThat(output).doesNotContain("Shutdown in progress").doesNotContain("IllegalStateException");
        try (var again = ServerProcess.builder(directory)
                .dataDirectory(data)
                .logFile(directory.resolve("again.log"))
                .start()) {
            again.http().get("/health").expect(200);
            assertThat(again.stop()).isIn(0, 143);
            assertThat(again.output()).contains("stopped");
        }
    }
}
