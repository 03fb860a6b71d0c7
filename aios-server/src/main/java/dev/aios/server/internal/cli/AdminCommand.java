package dev.aios.server.internal.cli;

import dev.aios.kernel.Admin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aios admin}: maintenance on the data directory of a stopped aios. */
@Command(
        name = "admin",
        description = "Maintenance on the data directory of a stopped aios.",
        subcommands = {AdminCommand.Verify.class, AdminCommand.Rebuild.class})
final class AdminCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. 'aios admin verify'");
    }

    /** The data directory option both admin commands share. */
    abstract static class OnDataDirectory implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(
                names = "--data",
                paramLabel = "DIR",
                description = "the data directory (default: $AIOS_DATA, else ./data)")
        Path data;

        Path dataDirectory() {
            var directory = data != null
                    ? data
                    : Path.of(AiosCommand.environment(spec, "AIOS_DATA").orElse("data"));
            if (!Files.isDirectory(directory)) {
                throw new CliException(
                        CliException.FAILED,
                        "no data directory at " + directory.toAbsolutePath().normalize() + "; pass --data DIR");
            }
            return directory;
        }
    }

    @Command(
            name = "verify",
            description = "Checks every run's checksum chain and the derived tables against the journal.")
    static final class Verify extends OnDataDirectory {
        @Override
        public Integer call() {
            var report = Admin.verify(dataDirectory());
            var out = spec.commandLine().getOut();
            if (report.ok()) {
                out.println("ok: " + report.runs() + " runs, " + report.entries() + " journal entries verified");
                out.flush();
                return 0;
            }
            report.problems().forEach(out::println);
            out.flush();
            var err = spec.commandLine().getErr();
            err.println(report.problems().size() + " problems in " + report.runs() + " runs; 'aios admin rebuild' "
                    + "recomputes the derived tables from the journal");
            err.flush();
            return CliException.FAILED;
        }
    }

    @Command(
            name = "rebuild",
            description = "Recomputes the derived tables (runs, work queue, tasks) from the journal.")
    static final class Rebuild extends OnDataDirectory {
        @Override
        public Integer call() {
            var report = Admin.rebuild(dataDirectory());
            var out = spec.commandLine().getOut();
            out.println("rebuilt " + report.runs() + " runs from " + report.entries() + " journal entries; "
                    + (report.changedRows() == 0
                            ? "the derived tables were intact"
                            : report.changedRows() + " rows differed and were replaced"));
            out.flush();
            return 0;
        }
    }
}
