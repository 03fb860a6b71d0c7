package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/java-home.sh}, which the {@code ./aios} launcher and CI source to find a JDK 21+:
 * a JDK's version is read from its {@code release} file without starting it, and a JDK without one
 * is asked.
 */
class JavaHomeScriptTest {
    @TempDir
    Path dir;

    private static final Path SCRIPT = Path.of("..", "scripts", "java-home.sh").toAbsolutePath();

    /** A JDK home whose {@code bin/java} prints {@code said} as {@code java -version} and leaves a mark. */
    private Path jdk(String name, String releaseVersion, String said) throws IOException {
        var home = dir.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        for (var tool : new String[] {"java", "javac"}) {
            var binary = home.resolve("bin").resolve(tool);
            Files.writeString(
                    binary,
                    "#!/bin/sh\ntouch \"" + dir.resolve(name + ".started") + "\"\n" + "echo 'openjdk version \"" + said
                            + "\" 2024-01-16' >&2\n");
            Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        if (releaseVersion != null) {
            Files.writeString(
                    home.resolve("release"),
                    "IMPLEMENTOR=\"Test\"\nJAVA_RUNTIME_VERSION=\"" + releaseVersion + "+1\"\nJAVA_VERSION=\""
                            + releaseVersion + "\"\n");
        }
        return home;
    }

    private String run(String javaHome, String command) throws Exception {
        var process =
                new ProcessBuilder("bash", "-c", ". \"$0\"; " + command, SCRIPT.toString()).redirectErrorStream(true);
        process.environment().put("JAVA_HOME", javaHome);
        var started = process.start();
        assertThat(started.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(started.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    @Test
    void aJdkWithAReleaseFileIsTakenWithoutStartingIt() throws Exception {
        var home = jdk("jdk-21", "21.0.2", "21.0.2");

        assertThat(run(home.toString(), "find_java_home")).isEqualTo(home.toString());
        assertThat(run(home.toString(), "java_major \"$JAVA_HOME/bin/java\"")).isEqualTo("21");
        assertThat(dir.resolve("jdk-21.started")).doesNotExist();
    }

    @Test
    void aJdkWithoutAReleaseFileIsAskedForItsVersion() throws Exception {
        var home = jdk("jdk-22", null, "22.0.1");

        assertThat(run(home.toString(), "java_major \"$JAVA_HOME/bin/java\"")).isEqualTo("22");
        assertThat(dir.resolve("jdk-22.started")).exists();
    }

    @Test
    void anOlderJdkInJavaHomeIsPassedOverAndOneThatDoesNotRunCountsAsNone() throws Exception {
        var old = jdk("jdk-17", "17.0.15", "17.0.15");
        var broken = dir.resolve("broken");
        Files.createDirectories(broken.resolve("bin"));

        assertThat(run(old.toString(), "java_major \"$JAVA_HOME/bin/java\"")).isEqualTo("17");
        assertThat(run(old.toString(), "find_java_home")).isNotEqualTo(old.toString());
        assertThat(run(broken.toString(), "java_major \"$JAVA_HOME/bin/java\"")).isEqualTo("0");
        assertThat(run(
                        old.toString(),
                        "java_major \"" + old.resolve("bin/java") + "\"; echo; MIN_JAVA=17 find_java_home"))
                .endsWith(old.toString());
    }
}
