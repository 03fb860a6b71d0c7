package dev.aios.kernel.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Per-subject encryption keys, by generation. Forgetting a subject destroys its keys and keeps a
 * record that they existed; a subject seen again gets a new generation.
 */
public interface KeyStore {

    /**
     * A subject's key of one generation.
     *
     * @param material the key as stored; empty once destroyed
     */
    record SubjectKey(String subject, long generation, Optional<byte[]> material, Instant createdAt) {}

    /** The subject's newest key that was not destroyed. */
    Optional<SubjectKey> current(String subject);

    /** The subject's highest generation, 0 when it never had a key. */
    long lastGeneration(String subject);

    /** Stores a new key. */
    void add(String subject, long generation, byte[] material, Instant at);

    /** The material of one generation, if it exists and was not destroyed. */
    Optional<byte[]> material(String subject, long generation);

    /**
     * Destroys the subject's keys.
     *
     * @return how many keys were destroyed
     */
    int destroy(String subject, Instant at);

    /** Whether the subject had keys and every one was destroyed. */
    boolean forgotten(String subject);

    /**
     * Files the destroyed keys of {@code subject} under {@code pseudonym}, so that no row names the
     * subject any more while the record that it was forgotten stays.
     */
    void rename(String subject, String pseudonym);

    /** When the keys filed under {@code subject} were last destroyed, if any were. */
    Optional<Instant> lastDestroyed(String subject);

    /** Every destroyed key (with no material). */
    List<SubjectKey> destroyed();

    /** Every key whose stored material is exactly {@code bytes} long (keys stored bare by older versions). */
    List<SubjectKey> sized(int bytes);

    /** Replaces the stored material of one generation (when it is wrapped anew). */
    void replace(String subject, long generation, byte[] material);

    /** The stored material of some key that was not destroyed, if there is one (to check the master key). */
    Optional<byte[]> anyMaterial();
}
