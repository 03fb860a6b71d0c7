package dev.aios.kernel.internal.store;

import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.internal.store.postgres.PostgresStore;
import dev.aios.kernel.internal.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.util.Optional;

/** Opens the store of an installation. */
public final class Stores {
    private Stores() {}

    /** Opens (creating or migrating it as needed) the embedded store in {@code dataDirectory}. */
    public static Store open(Path dataDirectory) {
        return SqliteStore.open(dataDirectory);
    }

    /**
     * Opens the store at {@code database} (a {@code jdbc:postgresql:} URL) when given, else the
     * embedded store in {@code dataDirectory}.
     */
    public static Store open(Path dataDirectory, Optional<String> database) {
        if (database.isEmpty()) {
            return open(dataDirectory);
        }
        // The data directory still holds the master key and the admin token.
        PrivateFiles.directory(dataDirectory);
        return PostgresStore.open(database.get());
    }

    /** The name of the embedded store's database file inside a data directory. */
    public static final String DATABASE_FILE = SqliteStore.FILE;

    /**
     * Writes a consistent copy of the embedded store of {@code dataDirectory} to {@code target}, also
     * while a kernel works on it (without taking the directory's lock): one committed moment, with
     * everything acknowledged before the copy began. A shared store (PostgreSQL) is backed up with
     * its own tools instead.
     *
     * @throws NotFoundException when the directory holds no store
     */
    public static void snapshot(Path dataDirectory, Path target) {
        if (!SqliteStore.exists(dataDirectory)) {
            throw new NotFoundException(
                    "no aios database in " + dataDirectory + "; pass the --data directory aios runs with");
        }
        SqliteStore.snapshot(dataDirectory, target);
    }

    /** How long a node may be silent before maintenance may assume it is gone (its heartbeat is every 5 s). */
    private static final java.time.Duration SILENT = java.time.Duration.ofSeconds(30);

    /**
     * Opens an existing installation for maintenance while no aios works on it: the SQLite file of
     * {@code dataDirectory} (whose lock keeps a running aios out), or the PostgreSQL {@code
     * database}, on which no node may have said in the last 30 s that it is alive.
     *
     * @throws dev.aios.kernel.StorageException while a node works on the PostgreSQL database
     */
    public static Store openStopped(Path dataDirectory, Optional<String> database) {
        return openStopped(dataDirectory, database, false);
    }

    /** As {@link #openStopped(Path, Optional)}; with {@code create} a new installation is created too. */
    public static Store openStopped(Path dataDirectory, Optional<String> database, boolean create) {
        if (database.isEmpty()) {
            return create ? open(dataDirectory) : openExisting(dataDirectory);
        }
        var store = open(dataDirectory, database);
        try {
            var now = java.time.InstantSource.system().instant();
            var alive = store.read(tx -> tx.nodes().seenSince(now.minus(SILENT), now));
            if (!alive.isEmpty()) {
                throw new dev.aios.kernel.StorageException(
                        alive.size() + " aios node" + (alive.size() == 1 ? " is" : "s are") + " working on "
                                + store.location() + " ("
                                + String.join(
                                        ", ",
                                        alive.stream()
                                                .map(node -> node.name() + ", last seen "
                                                        + java.time.Duration.between(node.seenAt(), now)
                                                                .toSeconds()
                                                        + " s ago")
                                                .toList())
                                + "); stop every node first, or wait " + SILENT.toSeconds()
                                + " s after one was killed",
                        null);
            }
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Opens the store of an installation that must exist already (maintenance on a stopped kernel). */
    public static Store openExisting(Path dataDirectory) {
        if (!SqliteStore.exists(dataDirectory)) {
            throw new NotFoundException(
                    "no aios database in " + dataDirectory + "; pass the --data directory aios ran with");
        }
        return SqliteStore.open(dataDirectory);
    }
}
