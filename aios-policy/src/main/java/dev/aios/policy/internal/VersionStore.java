package dev.aios.policy.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.kernel.spi.Audit;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;
import dev.aios.policy.PolicyVersion;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The policy's versions: appended, never changed. */
public final class VersionStore {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private final Storage storage;
    private final Audit audit;

    public VersionStore(Storage storage, Audit audit) {
        this.storage = storage;
        this.audit = audit;
    }

    /** The newest version, if any. */
    public Optional<PolicyVersion> latest() {
        return storage.read(c -> Sql.one(
                c,
                "SELECT version, document, author, reason, at FROM policy_versions ORDER BY version DESC LIMIT 1",
                VersionStore::row));
    }

    /** One version. */
    public Optional<PolicyVersion> get(int version) {
        return storage.read(c -> Sql.one(
                c,
                "SELECT version, document, author, reason, at FROM policy_versions WHERE version = ?",
                VersionStore::row,
                version));
    }

    /** Every version, newest first. */
    public List<PolicyVersion> all() {
        return storage.read(c -> Sql.query(
                c,
                "SELECT version, document, author, reason, at FROM policy_versions ORDER BY version DESC",
                VersionStore::row));
    }

    /** The hash of the aios.yaml policy that made the newest version from aios.yaml, if any. */
    public Optional<String> lastSourceHash() {
        return storage.read(c -> Sql.one(
                c,
                "SELECT source_hash FROM policy_versions WHERE source_hash <> '' ORDER BY version DESC LIMIT 1",
                r -> r.getString(1)));
    }

    /**
     * Appends a version after {@code expected} (the version the change was made on), with its entry
     * in the audit log in the same write; refuses when another change came first.
     *
     * @return the new version, or empty when {@code expected} is no longer the newest
     */
    public Optional<PolicyVersion> append(
            int expected,
            JsonNode document,
            String author,
            String reason,
            Instant at,
            String sourceHash,
            PolicyState.Cause cause) {
        return storage.write(c -> {
            int newest = newest(c);
            if (newest != expected) {
                return Optional.empty();
            }
            Sql.update(
                    c,
                    "INSERT INTO policy_versions (version, document, author, reason, at, source_hash)"
                            + " VALUES (?, ?, ?, ?, ?, ?)",
                    newest + 1,
                    text(document),
                    author,
                    reason,
                    at,
                    sourceHash);
            var details = MAPPER.createObjectNode()
                    .put("version", newest + 1)
                    .put("basedOn", newest)
                    .put("author", author)
                    .put("reason", reason);
            audit.append(c, cause.actor(), cause.action(), cause.target(), details);
            return Optional.of(new PolicyVersion(newest + 1, document, author, reason, at));
        });
    }

    private static int newest(Handle c) throws SQLException {
        return (int) Sql.count(c, "SELECT COALESCE(MAX(version), 0) FROM policy_versions");
    }

    private static PolicyVersion row(Sql.Rs r) throws SQLException {
        try {
            return new PolicyVersion(
                    r.getInt("version"),
                    MAPPER.readTree(r.getString("document")),
                    r.getString("author"),
                    r.getString("reason"),
                    Instant.ofEpochMilli(r.getLong("at")));
        } catch (JsonProcessingException e) {
            throw new SQLException("policy version " + r.getInt("version") + " is not readable JSON", e);
        }
    }

    static String text(JsonNode json) {
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
