package dev.aios.kernel;

import java.nio.file.Path;

/** Maintenance on a data directory whose kernel is stopped. */
public final class Admin {
    private Admin() {}

    /** Checks every run's checksum chain and the derived tables against the journal. */
    public static VerifyReport verify(Path dataDirectory) {
        throw new IllegalStateException("not wired yet");
    }

    /** Recomputes the derived tables (runs, work queue, awaits, tasks) from the journal. */
    public static RebuildReport rebuild(Path dataDirectory) {
        throw new IllegalStateException("not wired yet");
    }
}
