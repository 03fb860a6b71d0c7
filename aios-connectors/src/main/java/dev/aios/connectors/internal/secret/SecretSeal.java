package dev.aios.connectors.internal.secret;

/**
 * Seals and opens stored secret values. The kernel's key store does it today (secrets get a key of
 * their own there, so their values never reach the database in the clear); a master key kept outside
 * the database protects that key store.
 */
public interface SecretSeal {

    /** Seals {@code plain}. */
    byte[] seal(byte[] plain);

    /** Opens what {@link #seal} made. */
    byte[] open(byte[] sealed);
}
