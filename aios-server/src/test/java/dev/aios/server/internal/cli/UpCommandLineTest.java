package dev.aios.server.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code aios up} runs on a command line that holds only {@code up}, and still reads its options
 * and the environment, and refuses bad ones, as the whole command line does.
 */
class UpCommandLineTest {
    private record Ran(int exitCode, String out, String err) {}

    private static Ran run(Map<String, String> environment, String... args) {
        var commandLine = AiosCommand.commandLineFor(List.of(args), environment);
        var out = new StringWriter();
        var err = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int exitCode = commandLine.execute(args);
        return new Ran(exitCode, out.toString(), err.toString());
    }

    @Test
    void upIsBuiltAloneAndStillRefusesABadPortFromItsFlagOrTheEnvironment() {
        assertThat(AiosCommand.commandLineFor(List.of("up"), Map.of()).getSubcommands())
                .containsOnlyKeys("up");

        var flag = run(Map.of(), "up", "--port", "70000");
        assertThat(flag.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(flag.err()).contains("--port must be between 0 and 65535, was 70000");

        var variable = run(Map.of("AIOS_PORT", "seventy"), "up");
        assertThat(variable.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(variable.err()).contains("AIOS_PORT must be a port number such as 7070, was 'seventy'");

        var unknown = run(Map.of(), "up", "--bogus");
        assertThat(unknown.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(unknown.err()).contains("Unknown option: '--bogus'").contains("see 'aios up --help'");
    }

    @Test
    void everyCommandAnswersHelpWithItsOwnUsage() {
        var up = run(Map.of(), "up", "--help");
        assertThat(up.exitCode()).as(up.err()).isZero();
        assertThat(up.out()).contains("Usage: aios up").contains("--port");

        var tasks = run(Map.of(), "tasks", "--help");
        assertThat(tasks.exitCode()).as(tasks.err()).isZero();
        assertThat(tasks.out()).contains("Usage: aios tasks");

        var admin = run(Map.of(), "admin", "verify", "-h");
        assertThat(admin.exitCode()).as(admin.err()).isZero();
        assertThat(admin.out()).contains("Usage: aios admin verify");
    }

    @Test
    void everyOtherCommandGetsTheWholeCommandLine() {
        assertThat(AiosCommand.commandLineFor(List.of("runs"), Map.of()).getSubcommands())
                .containsKeys("up", "runs", "admin", "event");
        assertThat(AiosCommand.commandLineFor(List.of(), Map.of()).getSubcommands())
                .containsKeys("up", "runs");
    }
}
