package dev.aios.kernel;

import dev.aios.kernel.internal.access.AuditTrail;
import dev.aios.kernel.internal.access.TokenStore;
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

    /** Every API token of the data directory. */
    public static java.util.List<TokenInfo> tokens(Path dataDirectory) {
        try (var db = open(dataDirectory)) {
            return tokenStore(db).list();
        }
    }

    /** Creates an API token on the data directory, recorded in the audit log as done {@link Actor#LOCAL}ly. */
    public static IssuedToken createToken(
            Path dataDirectory,
            String name,
            java.util.Set<Scope> scopes,
            java.util.Optional<java.time.Duration> expiresIn) {
        try (var db = open(dataDirectory)) {
            return tokenStore(db).create(name, scopes, expiresIn, Actor.current());
        }
    }

    /** Revokes an API token on the data directory. */
    public static TokenInfo revokeToken(Path dataDirectory, String name) {
        try (var db = open(dataDirectory)) {
            return tokenStore(db).revoke(name, Actor.current());
        }
    }

    /** The audit log's entries at or after {@code from}. */
    public static java.util.List<AuditEntry> audit(Path dataDirectory, java.time.Instant from, int limit) {
        try (var db = open(dataDirectory)) {
            return new AuditTrail(db, InstantSource.system()).since(from, limit);
        }
    }

    private static TokenStore tokenStore(Database db) {
        var clock = InstantSource.system();
        return new TokenStore(db, new AuditTrail(db, clock), clock);
    }

    private static Audit audit(Database db) {
        return new Audit(new RunJournal(new SubjectKeys(db, InstantSource.system()), new FeedHub()));
    }
}
