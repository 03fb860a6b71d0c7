package dev.aios.kernel;

import dev.aios.kernel.internal.access.AuditTrail;
import dev.aios.kernel.internal.access.TokenStore;
import dev.aios.kernel.internal.engine.Audit;
import dev.aios.kernel.internal.journal.FeedHub;
import dev.aios.kernel.internal.journal.MasterKey;
import dev.aios.kernel.internal.journal.MasterKeys;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.journal.SubjectKeys;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.Stores;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;

/** Maintenance on a data directory whose kernel is stopped. */
public final class Admin {
    private Admin() {}

    /**
     * Checks every run's checksum chain and the derived tables against the journal.
     *
     * @throws StorageException when the directory's master key is missing (it is never created here)
     */
    public static VerifyReport verify(Path dataDirectory) {
        return verify(dataDirectory, ProgressListener.NONE);
    }

    /** As {@link #verify(Path)}, telling {@code progress} how many run checks are done. */
    public static VerifyReport verify(Path dataDirectory, ProgressListener progress) {
        return verify(dataDirectory, Optional.empty(), MasterKeySource.system(), progress);
    }

    /**
     * As {@link #verify(Path, ProgressListener)} on the PostgreSQL {@code database} when given (the
     * data directory then holds only the master key), with the master key found as {@code masterKey}
     * says (never created); every node on the database must be stopped.
     *
     * @throws StorageException while a node works on the database, or when the master key is missing
     */
    public static VerifyReport verify(
            Path dataDirectory, Optional<String> database, MasterKeySource masterKey, ProgressListener progress) {
        try (var store = Stores.openStopped(dataDirectory, database)) {
            return audit(store, MasterKeys.existing(dataDirectory, masterKey)).verify(store, progress);
        }
    }

    /** Recomputes the derived tables (runs, work queue, awaits, tasks) from the journal. */
    public static RebuildReport rebuild(Path dataDirectory) {
        return rebuild(dataDirectory, ProgressListener.NONE);
    }

    /** As {@link #rebuild(Path)}, telling {@code progress} how many runs are replayed. */
    public static RebuildReport rebuild(Path dataDirectory, ProgressListener progress) {
        return rebuild(dataDirectory, Optional.empty(), MasterKeySource.system(), progress);
    }

    /**
     * As {@link #rebuild(Path, ProgressListener)} on the PostgreSQL {@code database} when given, with
     * the master key found as {@code masterKey} says; every node on the database must be stopped.
     *
     * @throws StorageException while a node works on the database, or when the master key is missing
     */
    public static RebuildReport rebuild(
            Path dataDirectory, Optional<String> database, MasterKeySource masterKey, ProgressListener progress) {
        try (var store = Stores.openStopped(dataDirectory, database)) {
            return audit(store, MasterKeys.existing(dataDirectory, masterKey)).rebuild(store, progress);
        }
    }

    /**
     * Creates or brings up to date the tables of a stopped (or new) installation: the kernel's, then
     * each extension's of {@code extensions} (module name to Flyway location, as the extension passes
     * it to {@link dev.aios.kernel.spi.Storage#migrate}), on the SQLite file of {@code dataDirectory}
     * or on the PostgreSQL {@code database} when given. Starting aios does the same; this lets an
     * operator do it ahead, e.g. before starting several nodes of a new version.
     *
     * @throws StorageException while aios runs on the database, or when a migration fails (then
     *     nothing of that migration is applied)
     */
    public static MigrateReport migrate(
            Path dataDirectory, Optional<String> database, java.util.Map<String, String> extensions) {
        try (var store = Stores.openStopped(dataDirectory, database, true)) {
            var applied = new java.util.LinkedHashMap<String, java.util.List<String>>();
            applied.put("kernel", store.migrated());
            extensions.forEach(
                    (module, location) -> applied.put(module, store.extensions().migrate(module, location)));
            return new MigrateReport(store.location(), applied);
        }
    }

    /**
     * Copies the stopped SQLite installation of {@code dataDirectory} into the empty PostgreSQL
     * {@code database}: checks that the directory is an aios installation no aios runs on (and keeps
     * its lock until done), that its tables are at this aios's version and that the database holds no
     * aios rows; then brings the database's tables (the kernel's and each of {@code extensions}, as
     * for {@link #migrate}) to the current version and copies every row as stored, in one
     * transaction. Sealed payloads and checksums are copied, not recomputed: the PostgreSQL nodes
     * need the same master key, which stays where it is.
     *
     * @throws NotFoundException when {@code dataDirectory} is not an aios data directory
     * @throws ConflictException while aios runs on it
     * @throws StorageException when versions differ, the database is not empty or cannot be
     *     reached, or the copy fails (then it is rolled back and the database holds no rows)
     */
    public static CopyReport copyToPostgres(
            Path dataDirectory, String database, java.util.Map<String, String> extensions, ProgressListener progress) {
        try (var prepared =
                dev.aios.kernel.internal.store.postgres.SqliteImport.prepare(dataDirectory, database, extensions)) {
            var migrated = new java.util.LinkedHashMap<String, java.util.List<String>>();
            try (var store = Stores.openStopped(dataDirectory, Optional.of(database), true)) {
                migrated.put("kernel", store.migrated());
                extensions.forEach((module, location) ->
                        migrated.put(module, store.extensions().migrate(module, location)));
            }
            var copied = prepared.copy(progress);
            return new CopyReport(copied.source(), copied.target(), migrated, copied.rows(), copied.absentModules());
        }
    }

    /**
     * Writes a consistent copy of the database of {@code dataDirectory} to {@code target}, also while
     * a kernel runs on it: everything acknowledged before the copy began is in it, and nothing
     * half-written is.
     *
     * @throws StorageException when the database cannot be read or {@code target} cannot be written
     */
    public static void snapshotDatabase(Path dataDirectory, Path target) {
        Stores.snapshot(dataDirectory, target);
    }

    /** The name of the database file inside a data directory. */
    public static String databaseFile() {
        return Stores.DATABASE_FILE;
    }

    /** The name of the master key file inside a data directory (see {@link #MASTER_KEY_VARIABLE}). */
    public static final String MASTER_KEY_FILE = MasterKey.FILE;

    /** The environment variable that holds the master key instead of {@link #MASTER_KEY_FILE}. */
    public static final String MASTER_KEY_VARIABLE = MasterKey.VARIABLE;

    /**
     * Checks that the master key a kernel on {@code dataDirectory} would use opens the keys stored in
     * its database: {@code variable} ({@code AIOS_MASTER_KEY}'s value) when present, else the
     * directory's {@link #MASTER_KEY_FILE}, which must exist.
     *
     * @throws StorageException when there is no key, or it is not the one the keys were wrapped with
     */
    public static void checkMasterKey(Path dataDirectory, java.util.Optional<String> variable) {
        if (variable.filter(value -> !value.isBlank()).isEmpty()
                && !java.nio.file.Files.isRegularFile(dataDirectory.resolve(MASTER_KEY_FILE))) {
            throw new StorageException(
                    "no master key for " + dataDirectory + ": neither " + MASTER_KEY_VARIABLE + " nor "
                            + dataDirectory.resolve(MASTER_KEY_FILE) + " is there",
                    null);
        }
        try (var store = Stores.openExisting(dataDirectory)) {
            new SubjectKeys(store, InstantSource.system(), MasterKey.of(dataDirectory, variable)).prepare();
        }
    }

    /**
     * Where the master key of {@code dataDirectory} is, as a kernel started with {@code source} finds
     * it: {@code AIOS_MASTER_KEY}, the OS keyring's name, the key file's path, or "none yet".
     */
    public static String masterKeyPlace(Path dataDirectory, MasterKeySource source) {
        return MasterKeys.locate(dataDirectory, source).description();
    }

    /**
     * Moves the master key of {@code dataDirectory} from its {@link #MASTER_KEY_FILE} into the OS
     * keyring; the file is removed only after the keyring gave the same key back. Works while aios
     * runs: it keeps the key it has, and finds it in the keyring on its next start.
     *
     * @return the keyring's name
     * @throws StorageException when there is no keyring, it is locked, or it holds another key for the
     *     directory (then nothing changed)
     */
    public static String moveMasterKeyToKeyring(Path dataDirectory, MasterKeySource source) {
        return MasterKeys.toKeyring(dataDirectory, source).description();
    }

    /**
     * Moves the master key of {@code dataDirectory} from the OS keyring back into its {@link
     * #MASTER_KEY_FILE} (0600); the keyring's entry is removed only after the file reads back the same.
     *
     * @return the file's path
     * @throws StorageException when the keyring holds no key for the directory or cannot be reached
     */
    public static String moveMasterKeyToFile(Path dataDirectory, MasterKeySource source) {
        return MasterKeys.toFile(dataDirectory, source).description();
    }

    /** Every API token of the data directory. */
    public static java.util.List<TokenInfo> tokens(Path dataDirectory) {
        try (var store = Stores.openExisting(dataDirectory)) {
            return tokenStore(store).list();
        }
    }

    /** Creates an API token on the data directory, recorded in the audit log as done {@link Actor#LOCAL}ly. */
    public static IssuedToken createToken(
            Path dataDirectory,
            String name,
            java.util.Set<Scope> scopes,
            java.util.Optional<java.time.Duration> expiresIn) {
        try (var store = Stores.openExisting(dataDirectory)) {
            return tokenStore(store).create(name, scopes, expiresIn, Actor.current());
        }
    }

    /** Revokes an API token on the data directory. */
    public static TokenInfo revokeToken(Path dataDirectory, String name) {
        try (var store = Stores.openExisting(dataDirectory)) {
            return tokenStore(store).revoke(name, Actor.current());
        }
    }

    /** The audit log's entries at or after {@code from}. */
    public static java.util.List<AuditEntry> audit(Path dataDirectory, java.time.Instant from, int limit) {
        try (var store = Stores.openExisting(dataDirectory)) {
            return new AuditTrail(store, InstantSource.system()).since(from, limit);
        }
    }

    private static TokenStore tokenStore(Store store) {
        var clock = InstantSource.system();
        return new TokenStore(store, new AuditTrail(store, clock), clock);
    }

    private static Audit audit(Store store, MasterKey master) {
        var keys = new SubjectKeys(store, InstantSource.system(), master);
        return new Audit(new RunJournal(keys, new FeedHub()));
    }
}
