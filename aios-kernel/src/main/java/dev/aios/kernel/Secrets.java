package dev.aios.kernel;

import java.util.List;
import java.util.Optional;

/**
 * Secrets that connectors and other parts keep for later (API keys, webhook signing secrets,
 * refresh tokens), stored encrypted under the master key, which lives outside the database: a
 * copied {@code aios.db} alone reveals none of them. Storing and deleting are recorded in the
 * audit log (the name, never the value) with the {@link Actor} of the current thread.
 *
 * <pre>{@code
 * secrets.put("connector.stripe.apiKey", key);
 * String key = secrets.get("connector.stripe.apiKey").orElseThrow(...);
 * }</pre>
 */
public interface Secrets {
    /**
     * Stores {@code value} under {@code name}, replacing what was there.
     *
     * @param name e.g. {@code connector.mail.password}: letters, digits, {@code . _ -}, up to 128
     * @throws InvalidInputException when the name or the value is not valid
     */
    void put(String name, String value);

    /** The value stored under {@code name}, if any. */
    Optional<String> get(String name);

    /** Deletes the secret {@code name}; whether there was one. */
    boolean delete(String name);

    /** The names of the stored secrets, sorted; never their values. */
    List<String> names();
}
