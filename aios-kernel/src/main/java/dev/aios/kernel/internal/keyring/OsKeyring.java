package dev.aios.kernel.internal.keyring;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The operating system's keyring, reached through its command-line tool: the Secret Service on
 * Linux ({@code secret-tool}, from libsecret-tools; GNOME Keyring or KWallet answer it) and the
 * login keychain on macOS ({@code security}). It keeps one secret per account, here a data
 * directory's absolute path, under the service {@value #SERVICE}.
 */
public sealed interface OsKeyring permits SecretService, MacKeychain {
    /** The service every aios entry is filed under. */
    String SERVICE = "aios";

    /** What the keyring answered when asked for an account's secret. */
    sealed interface Lookup {
        /** The keyring holds the secret. */
        record Found(String secret) implements Lookup {
            @Override
            public String toString() {
                return "Found[secret=…]";
            }
        }

        /** The keyring answered and holds nothing for the account. */
        record Missing() implements Lookup {}

        /** The keyring holds an entry but is locked and was not unlocked. */
        record Locked(String reason) implements Lookup {}

        /** No keyring answered (no D-Bus session, no Secret Service running). */
        record Unreachable(String reason) implements Lookup {}
    }

    /** What the keyring is called in messages, e.g. "the Secret Service (secret-tool)". */
    String name();

    /** The secret kept for {@code account}. */
    Lookup lookup(String account);

    /**
     * Keeps {@code secret} for {@code account}, replacing what was kept for it.
     *
     * @throws KeyringException when the keyring is locked, absent or refuses, saying what to do
     */
    void store(String account, String label, String secret);

    /**
     * Removes what is kept for {@code account}.
     *
     * @throws KeyringException when the keyring cannot be reached or refuses
     */
    void remove(String account);

    /**
     * The keyring of this system when its tool is on the {@code PATH} of {@code environment} (the
     * variables laid over this process's own, which the tool runs with).
     */
    static Optional<OsKeyring> of(Map<String, String> environment) {
        var os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("mac")) {
            return KeyringTool.onPath("security", environment)
                    .map(path -> new MacKeychain(new KeyringTool(path, environment)));
        }
        return KeyringTool.onPath("secret-tool", environment)
                .map(path -> new SecretService(new KeyringTool(path, environment)));
    }
}
