package dev.aios.kernel;

import dev.aios.kernel.internal.access.AuditTrail;
import dev.aios.kernel.internal.access.TokenStore;
import dev.aios.kernel.internal.engine.Audit;
import dev.aios.kernel.internal.journal.FeedHub;
import dev.aios.kernel.internal.journal.MasterKey;
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
            return audit(store, dataDirectory).verify(store);
        }
    }

    /** Recomputes the derived tables (runs, work queue, awaits, tasks) from the journal. */
    public static RebuildReport rebuild(Path dataDirectory) {
        try (var store = Stores.openExisting(dataDirectory)) {
            return audit(store, dataDirectory).rebuild(store);
        }
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

    private static Audit audit(Store store, Path dataDirectory) {
        var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dataDirectory));
        return new Audit(new RunJournal(keys, new FeedHub()));
    }
}
