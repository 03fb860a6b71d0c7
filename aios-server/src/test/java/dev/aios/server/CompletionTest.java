package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aios completion bash}: a script that bash really completes aios commands and options with. */
class CompletionTest {
    @TempDir
    Path dir;

    @Test
    void bashCompletesCommandsSubcommandsAndOptions() throws Exception {
        var script = dir.resolve("aios-completion.bash");
        Files.writeString(script, completion("bash"));

        assertThat(complete(script, "aios", "ru")).containsExactlyInAnyOrder("run", "runs");
        assertThat(complete(script, "aios", "admin", "")).contains("verify", "rebuild");
        assertThat(complete(script, "aios", "up", "--log")).containsExactly("--log-format");
    }

    @Test
    void zshGetsTheSameScriptWhichLoadsBashCompletionEmulationItself() {
        assertThat(completion("zsh")).contains("ZSH_VERSION", "bashcompinit", "complete -F");
    }

    @Test
    void anUnknownShellIsAUsageError() {
        var commandLine = Main.commandLine(Map.of());
        commandLine.setErr(new PrintWriter(new StringWriter(), true));
        assertThat(commandLine.execute("completion", "fish")).isEqualTo(2);
    }

    private static String completion(String shell) {
        var out = new StringWriter();
        var commandLine = Main.commandLine(Map.of());
        commandLine.setOut(new PrintWriter(out, true));
        assertThat(commandLine.execute("completion", shell)).isZero();
        return out.toString();
    }

    /** What bash offers after {@code words} (the last one being completed), using the script. */
    private static java.util.List<String> complete(Path script, String... words) throws Exception {
        var line = String.join(" ", words);
        var command = "source " + script + "; COMP_WORDS=(" + quoted(words) + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE='" + line + "'; COMP_POINT=" + line.length()
                + "; _complete_aios; printf '%s\\n' \"${COMPREPLY[@]}\"";
        // Outside a real prompt bash's compopt complains on stderr; only the offered words matter.
        var process = new ProcessBuilder("bash", "-c", command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static String quoted(String... words) {
        var quoted = new StringBuilder();
        for (var word : words) {
            quoted.append(" '").append(word).append("'");
        }
        return quoted.toString().strip();
    }
}
