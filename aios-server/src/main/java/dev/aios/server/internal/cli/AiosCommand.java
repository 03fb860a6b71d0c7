package dev.aios.server.internal.cli;

import dev.aios.kernel.AiosException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
        var commandLine = new CommandLine(new AiosCommand(environment));
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
        var root = (AiosCommand) spec.root().userObject();
        return Optional.ofNullable(root.environment.get(name)).filter(value -> !value.isBlank());
    }

    /** The environment this command line was made with. */
    static Map<String, String> environment(CommandSpec spec) {
        return ((AiosCommand) spec.root().userObject()).environment;
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
