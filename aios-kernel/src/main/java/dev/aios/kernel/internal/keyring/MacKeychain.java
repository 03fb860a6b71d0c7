package dev.aios.kernel.internal.keyring;

import java.util.List;

/**
 * The macOS login keychain through {@code security}: a generic password of service {@code aios}
 * whose account is the data directory. The secret is written through {@code security -i}'s standard
 * input, so it never appears in the process list.
 */
record MacKeychain(KeyringTool tool) implements OsKeyring {
    /** {@code security}'s exit status when no item matches. */
    private static final int NOT_FOUND = 44;

    @Override
    public String name() {
        return "the macOS keychain (security)";
    }

    @Override
    public Lookup lookup(String account) {
        var result = tool.run(List.of("find-generic-password", "-s", SERVICE, "-a", account, "-w"), "");
        if (result.ok()) {
            return new Lookup.Found(result.out().strip());
        }
        if (result.exit() == NOT_FOUND) {
            return new Lookup.Missing();
        }
        var reason = result.reason("security ended with status " + result.exit());
        // "User interaction is not allowed": the keychain is locked and no one can be asked (ssh)
        return reason.contains("interaction")
                        || reason.toLowerCase(java.util.Locale.ROOT).contains("locked")
                ? new Lookup.Locked(reason)
                : new Lookup.Unreachable(reason);
    }

    @Override
    public void store(String account, String label, String secret) {
        var command = "add-generic-password -U -s " + quoted(SERVICE) + " -a " + quoted(account) + " -l "
                + quoted(label) + " -w " + quoted(secret) + "\n";
        var result = tool.run(List.of("-i"), command);
        if (!result.ok() || !result.err().isBlank()) {
            // never repeat the command back: it holds the secret
            var reason =
                    result.reason("security ended with status " + result.exit()).replace(secret, "…");
            throw new KeyringException(
                    "cannot store the key in " + name() + ": " + reason
                            + "; unlock the login keychain ('security unlock-keychain') and try again",
                    null);
        }
    }

    @Override
    public void remove(String account) {
        var result = tool.run(List.of("delete-generic-password", "-s", SERVICE, "-a", account), "");
        if (!result.ok() && result.exit() != NOT_FOUND) {
            throw new KeyringException(
                    "cannot remove the key from " + name() + ": "
                            + result.reason("security ended with status " + result.exit()),
                    null);
        }
    }

    /** An argument for {@code security -i}, which splits its input like a shell. */
    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
