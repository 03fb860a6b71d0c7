package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./aios} launcher of a built checkout. For the commands other than {@code up}: the first
 * writes their class archive beside the jar under a name of its own and renames it into place, the
 * later ones start from it, and each says and exits as the command does. For {@code up} on Java 25
 * and later: the first start after a build makes the ahead-of-time cache and says so, the later
 * ones start from it, without the incubating Vector API the cache cannot hold.
 */
class LauncherIT {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final Path TARGET = HOME.resolve("aios-server/target");

    record Result(int status, String out, String err) {}

    private static Result aios(String... args) throws Exception {
        var command = new java.util.ArrayList<>(List.of(HOME.resolve("aios").toString()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command);
        builder.environment().put("AIOS_URL", "http://localhost:1");
        builder.environment().put("AIOS_TOKEN", "not-a-token");
        var process = builder.start();
        process.getOutputStream().close();
        var out = process.getInputStream().readAllBytes();
        var err = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(
                process.exitValue(),
                new String(out, StandardCharsets.UTF_8).strip(),
                new String(err, StandardCharsets.UTF_8).strip());
    }

    private static List<Path> archives() throws IOException {
        try (Stream<Path> files = Files.list(TARGET)) {
            return files.filter(f -> f.getFileName().toString().startsWith("aios-cli-"))
                    .toList();
        }
    }

    private static final String MAKING = "making the start-up cache";
    private static final String INCUBATOR = "Using incubator modules: jdk.incubator.vector";

    @TempDir
    Path directory;

    private static List<Path> caches() throws IOException {
        try (Stream<Path> files = Files.list(TARGET)) {
            return files.filter(f -> f.getFileName().toString().matches("aios-up-.*\\.aot"))
                    .toList();
        }
    }

    /** Starts {@code ./aios up} on {@code data}, waits for a healthy /health, stops it; its output. */
    private String upUntilHealthy(Path data) throws Exception {
        var log = directory.resolve("up-" + System.nanoTime() + ".log");
        var builder = new ProcessBuilder(
                        HOME.resolve("aios").toString(), "up", "--data", data.toString(), "--port", "0")
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        var process = builder.start();
        process.getOutputStream().close();
        try {
            var port = UpLog.port(log, "aios up");
            var health = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://localhost:" + port + "/health"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as(UpLog.read(log)).isEqualTo(200);
        } finally {
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        return UpLog.read(log);
    }

    @Test
    void theFirstUpAfterABuildMakesTheStartUpCacheAndTheNextStartsFromIt() throws Exception {
        // A failed attempt's marker too: with it the launcher would not try, and this test would take
        // the branch of an older JDK.
        try (Stream<Path> files = Files.list(TARGET)) {
            for (var made : files.filter(f -> f.getFileName().toString().matches("aios-up-.*\\.aot(\\.failed)?"))
                    .toList()) {
                Files.delete(made);
            }
        }
        var data = directory.resolve("data");

        var first = upUntilHealthy(data);
        if (!first.contains(MAKING)) {
            // The JDK the launcher found is older than 25: no cache, the class archive and SIMD as before.
            assertThat(caches()).isEmpty();
            assertThat(first).contains(INCUBATOR);
            return;
        }
        assertThat(caches()).singleElement().satisfies(cache -> assertThat(Files.size(cache))
                .isPositive());
        assertThat(first).doesNotContain(INCUBATOR, "could not be made");
        try (Stream<Path> partial = Files.list(TARGET)) {
            assertThat(partial.map(f -> f.getFileName().toString()))
                    .noneMatch(name -> name.matches("aios-up-.*\\.aot\\..+"));
        }

        var second = upUntilHealthy(data);
        assertThat(second).doesNotContain(MAKING, INCUBATOR);
        assertThat(caches()).hasSize(1);
    }

    @Test
    void theFirstCommandWritesTheArchiveTheOthersStartFromAndEachExitsAsItsCommandDoes() throws Exception {
        for (var archive : archives()) {
            Files.delete(archive);
        }

        // Written by a command that fails: its status and message come through the launcher as they are.
        var unreachable = aios("runs");
        assertThat(unreachable.status()).isNotZero();
        assertThat(unreachable.err()).contains("no aios server at http://localhost:1");
        assertThat(archives()).singleElement().satisfies(archive -> assertThat(
                        archive.getFileName().toString())
                .endsWith(".jsa"));
        assertThat(Files.size(archives().getFirst())).isPositive();

        var first = aios("--version");
        var second = aios("--version");
        assertThat(first.status()).isZero();
        assertThat(first.out()).startsWith("aios ");
        assertThat(second).isEqualTo(first);
        assertThat(second.err()).isEmpty();
        assertThat(aios("runs")).isEqualTo(unreachable);
        assertThat(archives()).hasSize(1);
    }
}
