package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.internal.store.KeyStore;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Row;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The subject_keys table. */
final class JdbcKeys implements KeyStore {
    private final Handle handle;
    /** Told when keys were destroyed in this transaction (a subject was forgotten). */
    private final Runnable destroyed;

    JdbcKeys(Handle handle, Runnable destroyed) {
        this.handle = handle;
        this.destroyed = destroyed;
    }

    @Override
    public Optional<SubjectKey> current(String subject) {
        return handle.queryOne(
                "SELECT subject, generation, key, created_at FROM subject_keys WHERE subject = ? AND forgotten_at IS NULL"
                        + " ORDER BY generation DESC LIMIT 1",
                JdbcKeys::key,
                subject);
    }

    @Override
    public long lastGeneration(String subject) {
        return handle.count("SELECT COALESCE(MAX(generation), 0) FROM subject_keys WHERE subject = ?", subject);
    }

    @Override
    public void add(String subject, long generation, byte[] material, Instant at) {
        handle.update(
                "INSERT INTO subject_keys (subject, generation, key, created_at) VALUES (?, ?, ?, ?)",
                subject,
                generation,
                material,
                at);
    }

    @Override
    public Optional<byte[]> material(String subject, long generation) {
        return handle.queryOne(
                        "SELECT key FROM subject_keys WHERE subject = ? AND generation = ?",
                        r -> Optional.ofNullable(r.bytes("key")),
                        subject,
                        generation)
                .flatMap(k -> k);
    }

    @Override
    public int destroy(String subject, Instant at) {
        int count = handle.update(
                "UPDATE subject_keys SET key = NULL, forgotten_at = ? WHERE subject = ? AND forgotten_at IS NULL",
                at,
                subject);
        if (count > 0) {
            destroyed.run();
        }
        return count;
    }

    @Override
    public boolean forgotten(String subject) {
        return handle.count("SELECT COUNT(*) FROM subject_keys WHERE subject = ? AND forgotten_at IS NULL", subject)
                        == 0
                && handle.count("SELECT COUNT(*) FROM subject_keys WHERE subject = ?", subject) > 0;
    }

    @Override
    public void rename(String subject, String pseudonym) {
        handle.update(
                "UPDATE subject_keys SET subject = ? WHERE subject = ? AND key IS NULL AND forgotten_at IS NOT NULL",
                pseudonym,
                subject);
    }

    @Override
    public Optional<Instant> lastDestroyed(String subject) {
        return handle.queryOne(
                        "SELECT MAX(forgotten_at) AS at FROM subject_keys WHERE subject = ?",
                        r -> r.optionalInstant("at"),
                        subject)
                .flatMap(at -> at);
    }

    @Override
    public List<SubjectKey> destroyed() {
        return handle.query(
                "SELECT subject, generation, key, created_at FROM subject_keys WHERE key IS NULL ORDER BY subject, generation",
                JdbcKeys::key);
    }

    @Override
    public List<SubjectKey> sized(int bytes) {
        return handle.query(
                "SELECT subject, generation, key, created_at FROM subject_keys WHERE length(key) = ?",
                JdbcKeys::key,
                bytes);
    }

    @Override
    public void replace(String subject, long generation, byte[] material) {
        handle.update(
                "UPDATE subject_keys SET key = ? WHERE subject = ? AND generation = ?", material, subject, generation);
    }

    @Override
    public Optional<byte[]> anyMaterial() {
        return handle.queryOne("SELECT key FROM subject_keys WHERE key IS NOT NULL LIMIT 1", r -> r.bytes("key"));
    }

    private static SubjectKey key(Row r) {
        return new SubjectKey(
                r.text("subject"),
                r.integer("generation"),
                Optional.ofNullable(r.bytes("key")),
                r.instant("created_at"));
    }
}
