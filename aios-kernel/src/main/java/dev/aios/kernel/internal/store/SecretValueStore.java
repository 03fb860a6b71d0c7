package dev.aios.kernel.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Named secrets, each stored as the caller sealed it (wrapped by the master key). */
public interface SecretValueStore {

    /** Stores {@code sealed} under {@code name}, in place of any value it had. */
    void put(String name, byte[] sealed, Instant at);

    /** The sealed value stored under {@code name}. */
    Optional<byte[]> get(String name);

    /**
     * Deletes the secret.
     *
     * @return whether there was one
     */
    boolean delete(String name);

    /** The names, sorted. */
    List<String> names();
}
