package dev.aios.server.internal.cli;

import dev.aios.kernel.AiosException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code aios} command and its subcommands. */
@Command(
        name = "aios",
        mixinStandardHelpOptions = true,
        // every subcommand answers --help (and --version) too: `aios up --help`
        scope = CommandLine.ScopeType.INHERIT,
        versionProvider = AiosCommand.Version.class,
        description = "Runs a one-person company's playbooks durably, and talks to a running aios.",
        subcommands = {
            UpCommand.class,
            EventCommand.class,
            InvokeCommand.class,
            ScheduleCommand.class,
            SecretCommand.class,
            McpCommand.class,
            DeliveriesCommand.class,
            RunCommands.Runs.class,
            RunCommands.Run.class,
            RunCommands.Journal.class,
            RunCommands.Cancel.class,
            RunCommands.Replay.class,
            TaskCommands.Tasks.class,
            TaskCommands.Task.class,
            TaskCommands.Approve.class,
            TaskCommands.Reject.class,
            TaskCommands.Retry.class,
            TaskCommands.Skip.class,
            TaskCommands.Compensate.class,
            ForgetCommand.class,
            MemoryCommand.class,
            CatalogCommands.Playbooks.class,
            PlaybookCommand.class,
            CatalogCommands.Agents.class,
            AgentCommand.class,
            CostCommand.class,
            PolicyCommand.class,
            PolicyCommand.Flags.class,
            PolicyCommand.Alerts.class,
            PolicyCommand.Correct.class,
            DigestCommand.class,
            AdminCommand.class,
            TokenCommand.class,
            AuditCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class
        })
public final class AiosCommand implements Runnable {
    private final Map<String, String> environment;

    @Spec
    CommandSpec spec;

    private AiosCommand(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /**
     * The command line, ready to {@link CommandLine#execute}.
     *
     * @param environment where defaults come from: {@code AIOS_DATA}, {@code AIOS_PORT}, {@code
     *     AIOS_PLAYBOOKS}, {@code AIOS_URL}
     */
    public static CommandLine commandLine(Map<String, String> environment) {
        return handled(new CommandLine(new AiosCommand(environment)));
    }

    /**
     * The command line to run {@code args} with: for {@code aios up}, one that holds only {@code
     * up}, since building the model of every other command (picocli reads each one's annotations)
     * is work a start need not wait for; for anything else, {@link #commandLine the whole one}.
     *
     * @param environment where defaults come from, as for {@link #commandLine}
     */
    public static CommandLine commandLineFor(List<String> args, Map<String, String> environment) {
        if (!args.isEmpty() && args.getFirst().equals("up")) {
            return handled(new CommandLine(new UpOnly(environment)));
        }
        return commandLine(environment);
    }

    private static CommandLine handled(CommandLine commandLine) {
        commandLine.setExecutionExceptionHandler((error, command, parsed) -> {
            command.getErr().println(messageOf(error));
            command.getErr().flush();
            return error instanceof CliException failure ? failure.exitCode() : CliException.FAILED;
        });
        commandLine.setParameterExceptionHandler((error, args) -> {
            var command = error.getCommandLine();
            command.getErr().println(error.getMessage());
            command.getErr().println("see '" + command.getCommandSpec().qualifiedName() + " --help'");
            command.getErr().flush();
            return CliException.USAGE;
        });
        return commandLine;
    }

    /** A variable of the environment this command line was made with, if set and not blank. */
    static Optional<String> environment(CommandSpec spec, String name) {
        return Optional.ofNullable(environment(spec).get(name)).filter(value -> !value.isBlank());
    }

    /** The environment this command line was made with. */
    static Map<String, String> environment(CommandSpec spec) {
        return switch (spec.root().userObject()) {
            case AiosCommand root -> root.environment;
            case UpOnly root -> root.environment;
            default ->
                throw new IllegalStateException(
                        "not an aios command line: " + spec.root().name());
        };
    }

    /**
     * The {@code aios} command as {@code aios up} sees it: the same name, options and help as {@link
     * AiosCommand}, with {@code up} its only subcommand.
     */
    @Command(
            name = "aios",
            mixinStandardHelpOptions = true,
            scope = CommandLine.ScopeType.INHERIT,
            versionProvider = AiosCommand.Version.class,
            description = "Runs a one-person company's playbooks durably, and talks to a running aios.",
            subcommands = UpCommand.class)
    static final class UpOnly implements Runnable {
        private final Map<String, String> environment;

        @Spec
        CommandSpec spec;

        UpOnly(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. 'aios up'");
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. 'aios up' or 'aios runs'");
    }

    private static String messageOf(Exception error) {
        return switch (error) {
            case CliException failure -> failure.getMessage();
            case AiosException refused -> refused.getMessage();
            default -> "aios failed: " + error;
        };
    }

    /** The version from the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"aios " + version()};
        }

        static String version() {
            try (InputStream in = AiosCommand.class.getResourceAsStream("/aios-version.properties")) {
                var properties = new Properties();
                if (in != null) {
                    properties.load(in);
                }
                return properties.getProperty("version", "(development build)");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
