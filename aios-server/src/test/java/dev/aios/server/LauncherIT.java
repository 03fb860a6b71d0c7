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

/**
 * The {@code ./aios} launcher of a built checkout, for the commands other than {@code up}: the first
 * writes their class archive beside the jar under a name of its own and renames it into place, the
 * later ones start from it, and each says and exits as the command does.
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
