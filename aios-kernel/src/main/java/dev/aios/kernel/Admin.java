package dev.aios.kernel;

import dev.aios.kernel.internal.engine.Audit;
import dev.aios.kernel.internal.journal.FeedHub;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.journal.SubjectKeys;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.Stores;
import java.nio.file.Path;
import java.time.InstantSource;

/** Maintenance on a data directory whose kernel is stopped. */
public final class Admin {
    private Admin() {}

    /** Checks every run's checksum chain and the derived tables against the journal. */
    public static VerifyReport verify(Path dataDirectory) {
        try (var store = Stores.openExisting(dataDirectory)) {
            return audit(store).verify(store);
        }
    }

    /** Recomputes the derived tables (runs, work queue, awaits, tasks) from the journal. */
    public static RebuildReport rebuild(Path dataDirectory) {
        try (var store = Stores.openExisting(dataDirectory)) {
            return audit(store).rebuild(store);
        }
    }

    private static Audit audit(Store store) {
        return new Audit(new RunJournal(new SubjectKeys(store, InstantSource.system()), new FeedHub()));
    }
}
