package dev.aios.kernel;

import dev.aios.kernel.internal.engine.Audit;
import dev.aios.kernel.internal.journal.FeedHub;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.journal.SubjectKeys;
import dev.aios.kernel.internal.store.Database;
import java.nio.file.Path;
import java.time.InstantSource;

/** Maintenance on a data directory: checks and rebuilds while its kernel is stopped, snapshots at any time. */
public final class Admin {
    private Admin() {}

    /** Checks every run's checksum chain and the derived tables against the journal. */
    public static VerifyReport verify(Path dataDirectory) {
        return verify(dataDirectory, ProgressListener.NONE);
    }

    /** As {@link #verify(Path)}, telling {@code progress} how many run checks are done. */
    public static VerifyReport verify(Path dataDirectory, ProgressListener progress) {
        try (var db = open(dataDirectory)) {
            return audit(db).verify(db, progress);
        }
    }

    /** Recomputes the derived tables (runs, work queue, awaits, tasks) from the journal. */
    public static RebuildReport rebuild(Path dataDirectory) {
        return rebuild(dataDirectory, ProgressListener.NONE);
    }

    /** As {@link #rebuild(Path)}, telling {@code progress} how many runs are replayed. */
    public static RebuildReport rebuild(Path dataDirectory, ProgressListener progress) {
        try (var db = open(dataDirectory)) {
            return audit(db).rebuild(db, progress);
        }
    }

    /**
     * Writes a consistent copy of the database of {@code dataDirectory} to {@code target}, also while
     * a kernel runs on it: SQLite's {@code VACUUM INTO} reads one committed moment, so everything
     * acknowledged before the copy began is in it, and nothing half-written is.
     *
     * @throws StorageException when the database cannot be read or {@code target} cannot be written
     */
    public static void snapshotDatabase(Path dataDirectory, Path target) {
        if (!Database.exists(dataDirectory)) {
            throw new NotFoundException(
                    "no aios database in " + dataDirectory + "; pass the --data directory aios runs with");
        }
        Database.snapshot(dataDirectory, target);
    }

    /** The name of the database file inside a data directory. */
    public static String databaseFile() {
        return Database.FILE;
    }

    private static Database open(Path dataDirectory) {
        if (!Database.exists(dataDirectory)) {
            throw new NotFoundException(
                    "no aios database in " + dataDirectory + "; pass the --data directory aios ran with");
        }
        return Database.open(dataDirectory);
    }

    private static Audit audit(Database db) {
        return new Audit(new RunJournal(new SubjectKeys(db, InstantSource.system()), new FeedHub()));
    }
}
