package dev.aios.server.internal.cli;

import dev.aios.kernel.Admin;
import dev.aios.kernel.CopyReport;
import dev.aios.kernel.MasterKeySource;
import dev.aios.kernel.RebuildReport;
import dev.aios.kernel.VerifyReport;
import dev.aios.server.internal.backup.BackupArchive;
import dev.aios.server.internal.backup.BackupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aios admin}: maintenance on a data directory (checks and rebuilds while aios is stopped, backups any time). */
@Command(
        name = "admin",
        description = "Maintenance on a data directory: verify and rebuild a stopped aios; back up any time.",
        subcommands = {
            AdminCommand.Verify.class,
            AdminCommand.Rebuild.class,
            AdminCommand.Migrate.class,
            AdminCommand.Backup.class,
            AdminCommand.Restore.class,
            MasterKeyCommand.class
        })
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

        @Option(
                names = "--db",
                paramLabel = "URL",
                description = "the PostgreSQL database aios runs on (jdbc:postgresql://host/db; user and password from"
                        + " $AIOS_DB_USER and $AIOS_DB_PASSWORD); default: $AIOS_DB, else the SQLite file in the data"
                        + " directory")
        String db;

        /** The PostgreSQL database: --db, else $AIOS_DB; empty for the data directory's SQLite file. */
        Optional<String> database() {
            var url = db != null
                    ? Optional.of(db)
                    : AiosCommand.environment(spec, "AIOS_DB").filter(value -> !value.isBlank());
            if (url.isPresent() && !url.get().startsWith("jdbc:postgresql:")) {
                throw new CliException(
                        CliException.USAGE,
                        "--db must be a jdbc:postgresql: URL, e.g. jdbc:postgresql://localhost/aios; leave it out for"
                                + " the SQLite file in the data directory");
            }
            return url;
        }

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
            var directory = dataDirectory();
            VerifyReport report;
            try (var progress = progress(spec, "verify: run checks", ProgressPrinter.Unit.ITEMS)) {
                report = Admin.verify(
                        directory,
                        database(),
                        dev.aios.kernel.MasterKeySource.of(AiosCommand.environment(spec)),
                        progress::advanced);
            }
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
            var directory = dataDirectory();
            RebuildReport report;
            try (var progress = progress(spec, "rebuild: runs", ProgressPrinter.Unit.ITEMS)) {
                report = Admin.rebuild(
                        directory,
                        database(),
                        dev.aios.kernel.MasterKeySource.of(AiosCommand.environment(spec)),
                        progress::advanced);
            }
            var out = spec.commandLine().getOut();
            out.println("rebuilt " + report.runs() + " runs from " + report.entries() + " journal entries; "
                    + (report.changedRows() == 0
                            ? "the derived tables were intact"
                            : report.changedRows() + " rows differed and were replaced"));
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "migrate",
            description = {
                "Creates or updates the tables of a stopped or new installation (the kernel's and every module's),"
                        + " as the next 'aios up' would, and says which migrations it applied.",
                "With --from DIR --to URL: copies a stopped SQLite installation into an empty PostgreSQL database"
                        + " (its tables brought to this version first): every row as stored, checksum chains"
                        + " intact, in one transaction. The master key stays where it is; every node needs it."
            })
    static final class Migrate extends OnDataDirectory {
        @Option(
                names = "--from",
                paramLabel = "DIR",
                description = "with --to: the data directory of a stopped SQLite installation to copy into PostgreSQL")
        Path from;

        @Option(
                names = "--to",
                paramLabel = "URL",
                description =
                        "with --from: the empty PostgreSQL database to copy into (jdbc:postgresql://host/db; user and password"
                                + " from $AIOS_DB_USER and $AIOS_DB_PASSWORD)")
        String to;

        @Override
        public Integer call() {
            if (from != null || to != null) {
                return copy();
            }
            // A new installation's directory is created, as 'aios up' would.
            var directory = data != null
                    ? data
                    : Path.of(AiosCommand.environment(spec, "AIOS_DATA").orElse("data"));
            var report = Admin.migrate(directory, database(), Modules.MIGRATIONS);
            var out = spec.commandLine().getOut();
            printApplied(out, report.applied());
            out.println(
                    report.count() == 0
                            ? report.database() + " was up to date"
                            : "applied " + report.count() + " migration" + (report.count() == 1 ? "" : "s") + " to "
                                    + report.database());
            out.flush();
            return 0;
        }

        private Integer copy() {
            if (from == null || to == null) {
                throw new CliException(
                        CliException.USAGE,
                        "copying needs both --from DIR (the SQLite installation) and --to URL (the PostgreSQL"
                                + " database), e.g. aios admin migrate --from data --to jdbc:postgresql://localhost/aios");
            }
            if (data != null || db != null) {
                throw new CliException(
                        CliException.USAGE,
                        "--data and --db name the installation to migrate in place; with --from and --to leave them"
                                + " out");
            }
            if (!to.startsWith("jdbc:postgresql:")) {
                throw new CliException(
                        CliException.USAGE,
                        "--to must be a jdbc:postgresql: URL, e.g. jdbc:postgresql://localhost/aios");
            }
            CopyReport report;
            try (var progress = progress(spec, "migrate: rows", ProgressPrinter.Unit.ITEMS)) {
                report = Admin.copyToPostgres(from, to, Modules.MIGRATIONS, progress::advanced);
            }
            var out = spec.commandLine().getOut();
            printApplied(out, report.migrated());
            report.rows().forEach((table, rows) -> {
                if (rows > 0) {
                    out.println(String.format("%-26s%d row%s", table, rows, rows == 1 ? "" : "s"));
                }
            });
            report.absentModules()
                    .forEach(module ->
                            out.println(module + ": the installation never ran with it; its tables stay" + " empty"));
            out.println("copied " + report.total() + " rows in " + report.rows().size() + " tables from "
                    + report.source() + " to " + report.target());
            var place = Admin.masterKeyPlace(from, MasterKeySource.of(AiosCommand.environment(spec)));
            out.println("the master key stays where it is (" + place + ") and opens the copied keys and secrets:"
                    + " start each node with it, e.g. 'aios up --data " + from + " --db " + report.target()
                    + "', or copy " + Admin.MASTER_KEY_FILE + " (mode 0600) into each node's --data directory, or"
                    + " set " + Admin.MASTER_KEY_VARIABLE + " to its content; the API tokens are copied too");
            out.println("check it with 'aios admin verify --data " + from + " --db " + report.target()
                    + "'; the SQLite installation is unchanged: do not start it again beside the PostgreSQL nodes");
            out.flush();
            return 0;
        }

        private static void printApplied(
                java.io.PrintWriter out, java.util.Map<String, java.util.List<String>> applied) {
            applied.forEach((module, migrations) -> out.println(String.format(
                    "%-11s%s",
                    module, migrations.isEmpty() ? "up to date" : "applied " + String.join(", ", migrations))));
        }
    }

    @Command(
            name = "backup",
            description = "Writes a backup archive of the data directory (also while aios runs): the database, key"
                    + " files, the settings file if named; a manifest with checksums.")
    static final class Backup extends OnDataDirectory {
        @Option(names = "--to", paramLabel = "FILE", required = true, description = "the archive to write (.zip)")
        Path to;

        @Option(
                names = "--config",
                paramLabel = "FILE",
                description = "the settings file to include (default: $AIOS_CONFIG, else ./aios.yaml if it exists)")
        Path config;

        @Option(
                names = "--without-master-key",
                description = "leave master.key out of the archive; keep it apart yourself, restoring needs it")
        boolean withoutMasterKey;

        @Override
        public Integer call() {
            database().ifPresent(url -> {
                throw new CliException(CliException.FAILED, Modules.PG_DUMP);
            });
            var settings = config != null
                    ? Optional.of(config)
                    : AiosCommand.environment(spec, "AIOS_CONFIG")
                            .map(Path::of)
                            .or(() -> Optional.of(Path.of("aios.yaml")).filter(Files::isRegularFile));
            BackupArchive.Report report;
            try (var progress = progress(spec, "backup", ProgressPrinter.Unit.BYTES)) {
                report = run(() -> BackupArchive.create(
                        dataDirectory(),
                        settings,
                        to,
                        !withoutMasterKey,
                        AiosCommand.Version.version(),
                        InstantSource.system(),
                        progress::advanced));
            }
            var out = spec.commandLine().getOut();
            out.println("backed up " + report.files().size() + " files (" + report.bytes() + " bytes) to " + to
                    + "; restore with 'aios admin restore " + to + " --data DIR'");
            out.println(
                    switch (report.masterKey()) {
                        case INCLUDED ->
                            "the master key is in the archive: it opens everything in it, so keep the"
                                    + " archive as private as the data directory";
                        case SEPARATE ->
                            "the master key is NOT in the archive ("
                                    + (withoutMasterKey
                                            ? "left out"
                                            : "aios takes it from "
                                                    + Admin.masterKeyPlace(
                                                            dataDirectory(),
                                                            dev.aios.kernel.MasterKeySource.of(
                                                                    AiosCommand.environment(spec))))
                                    + "): keep it safe apart from the archive; restoring needs it"
                                    + " (--master-key FILE or " + Admin.MASTER_KEY_VARIABLE + ")";
                    });
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "restore",
            description = "Restores a backup archive into a new, empty data directory, after checking every checksum.")
    static final class Restore implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "the backup archive")
        Path archive;

        @Option(
                names = "--data",
                paramLabel = "DIR",
                required = true,
                description = "the new data directory (must be empty or missing)")
        Path data;

        @Option(
                names = "--master-key",
                paramLabel = "FILE",
                description = "the master key (base64, as in master.key) of a backup that does not hold it;"
                        + " else $AIOS_MASTER_KEY")
        Path masterKey;

        @Override
        public Integer call() {
            var variable = AiosCommand.environment(spec, Admin.MASTER_KEY_VARIABLE);
            var key = new BackupArchive.KeySource(Optional.ofNullable(masterKey), variable);
            BackupArchive.Report report;
            try (var progress = progress(spec, "restore", ProgressPrinter.Unit.BYTES)) {
                report = run(() -> BackupArchive.restore(archive, data, key, progress::advanced));
            }
            var out = spec.commandLine().getOut();
            out.println("restored " + report.files().size() + " files from the backup of " + report.createdAt()
                    + " into " + data + "; check it with 'aios admin verify --data " + data + "'");
            if (variable.isPresent()) {
                out.println("the master key from " + Admin.MASTER_KEY_VARIABLE + " opens its keys: start aios on "
                        + data + " with the same " + Admin.MASTER_KEY_VARIABLE);
            } else if (masterKey != null) {
                out.println("the master key from " + masterKey + " opens its keys and is now "
                        + data.resolve(Admin.MASTER_KEY_FILE));
            }
            out.flush();
            return 0;
        }
    }

    private static ProgressPrinter progress(CommandSpec spec, String what, ProgressPrinter.Unit unit) {
        return ProgressPrinter.forCli(spec.commandLine().getErr(), what, unit, AiosCommand.environment(spec));
    }

    private static <T> T run(Supplier<T> work) {
        try {
            return work.get();
        } catch (BackupException e) {
            throw new CliException(CliException.FAILED, e.getMessage());
        }
    }
}
