package dev.aios.kernel;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a kernel finds the master key that wraps every subject key and stored secret, in this
 * order:
 *
 * <ol>
 *   <li>{@code AIOS_MASTER_KEY} (32 bytes, base64) when set;
 *   <li>the OS keyring (the Secret Service through {@code secret-tool} on Linux, the keychain through
 *       {@code security} on macOS), under service {@code aios} and the data directory's absolute
 *       path: always with {@link Keyring#ON}, with {@link Keyring#AUTO} when the data directory has no
 *       {@code master.key} file;
 *   <li>the data directory's {@code master.key}, a file only its owner can read.
 * </ol>
 *
 * <p>A key is created on first start only: in the keyring with {@link Keyring#ON}, else in the file.
 *
 * @param variable the value of {@code AIOS_MASTER_KEY}, if set
 * @param keyring whether the OS keyring keeps the key
 * @param environment variables laid over this process's own for the keyring's tool (e.g. {@code
 *     DBUS_SESSION_BUS_ADDRESS})
 */
public record MasterKeySource(Optional<String> variable, Keyring keyring, Map<String, String> environment) {
    /** The environment variable that holds the master key, base64. */
    public static final String VARIABLE = "AIOS_MASTER_KEY";

    /** The environment variable that turns the keyring on ({@code 1}) or off ({@code 0}). */
    public static final String KEYRING_VARIABLE = "AIOS_KEYRING";

    /** Whether the OS keyring keeps the master key. */
    public enum Keyring {
        /** The keyring when it holds the data directory's key and the directory has no key file. */
        AUTO,
        /** The keyring always: a new key is created there, and a missing or locked keyring is an error. */
        ON,
        /** Never the keyring: the key file (or {@code AIOS_MASTER_KEY}). */
        OFF
    }

    public MasterKeySource {
        variable = variable.filter(value -> !value.isBlank());
        Objects.requireNonNull(keyring, "keyring");
        environment = Map.copyOf(environment);
    }

    /** From this process's environment ({@code AIOS_MASTER_KEY}, {@code AIOS_KEYRING}). */
    public static MasterKeySource system() {
        return of(System.getenv());
    }

    /**
     * From {@code environment}: {@code AIOS_MASTER_KEY}, and {@code AIOS_KEYRING} ({@code 1}/{@code
     * true} for {@link Keyring#ON}, {@code 0}/{@code false} for {@link Keyring#OFF}, unset for {@link
     * Keyring#AUTO}).
     *
     * @throws InvalidInputException when {@code AIOS_KEYRING} is none of these
     */
    public static MasterKeySource of(Map<String, String> environment) {
        var keyring = Optional.ofNullable(environment.get(KEYRING_VARIABLE))
                .filter(value -> !value.isBlank())
                .map(MasterKeySource::keyring)
                .orElse(Keyring.AUTO);
        return new MasterKeySource(Optional.ofNullable(environment.get(VARIABLE)), keyring, environment);
    }

    /** This source with the keyring setting of a settings file, unless {@code AIOS_KEYRING} set one. */
    public MasterKeySource withKeyringSetting(Optional<Boolean> setting) {
        if (setting.isEmpty() || environment.containsKey(KEYRING_VARIABLE)) {
            return this;
        }
        return new MasterKeySource(variable, setting.get() ? Keyring.ON : Keyring.OFF, environment);
    }

    /** This source with {@code keyring}. */
    public MasterKeySource withKeyring(Keyring keyring) {
        return new MasterKeySource(variable, keyring, environment);
    }

    private static Keyring keyring(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> Keyring.ON;
            case "0", "false", "no", "off" -> Keyring.OFF;
            case "auto" -> Keyring.AUTO;
            default ->
                throw new InvalidInputException(KEYRING_VARIABLE + " must be 1 (keep the master key in the OS"
                        + " keyring), 0 (never) or auto; was '" + value + "'");
        };
    }

    @Override
    public String toString() {
        return "MasterKeySource[variable=" + (variable.isPresent() ? "set" : "unset") + ", keyring=" + keyring + "]";
    }
}
