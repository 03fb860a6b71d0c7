package dev.aios.kernel;

import dev.aios.kernel.internal.engine.Audit;
import dev.aios.kernel.internal.journal.FeedHub;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.journal.SubjectKeys;
import dev.aios.kernel.internal.store.Database;
import java.nio.file.Path;
import java.time.InstantSource;

/** Maintenance on a data directory whose kernel is stopped. */
public final class Admin {
    private Admin() {}

    /** Checks every run's checksum chain and the derived tables against the journal. */
    public static VerifyReport verify(Path dataDirectory) {
        try (var db = open(dataDirectory)) {
            return audit(db).verify(db);
        }
    }

    /** Recomputes the derived tables (runs, work queue, awaits, tasks) from the journal. */
    public static RebuildReport rebuild(Path dataDirectory) {
        try (var db = open(dataDirectory)) {
            return audit(db).rebuild(db);
        }
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
