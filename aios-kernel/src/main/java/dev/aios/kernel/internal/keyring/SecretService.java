package dev.aios.kernel.internal.keyring;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The freedesktop Secret Service through {@code secret-tool}: entries carry the attributes {@code
 * service=aios} and {@code data-directory=PATH}, and are stored in the default collection (the
 * login keyring).
 */
record SecretService(KeyringTool tool) implements OsKeyring {
    private static final String ATTRIBUTE = "data-directory";

    @Override
    public String name() {
        return "the Secret Service (secret-tool)";
    }

    @Override
    public Lookup lookup(String account) {
        var noSession = noSession();
        if (noSession != null) {
            return new Lookup.Unreachable(noSession);
        }
        // search --unlock asks to unlock a locked collection (a prompt on a desktop) and, unlike
        // lookup, tells a locked entry apart from none at all.
        var result = tool.run(List.of("search", "--unlock", "service", SERVICE, ATTRIBUTE, account), "");
        if (!result.ok()) {
            var reason = result.reason("secret-tool ended with status " + result.exit());
            return reason.toLowerCase(java.util.Locale.ROOT).contains("locked")
                    ? new Lookup.Locked(reason)
                    : new Lookup.Unreachable(reason);
        }
        var secret = result.out()
                .lines()
                .filter(line -> line.startsWith("secret = "))
                .map(line -> line.substring("secret = ".length()))
                .findFirst();
        if (secret.isPresent()) {
            return new Lookup.Found(secret.get());
        }
        if (result.out().lines().anyMatch(line -> line.startsWith("["))) {
            return new Lookup.Locked(result.reason("the collection that holds it is locked"));
        }
        return new Lookup.Missing();
    }

    @Override
    public void store(String account, String label, String secret) {
        refuseWithoutSession();
        var result = tool.run(List.of("store", "--label=" + label, "service", SERVICE, ATTRIBUTE, account), secret);
        if (!result.ok()) {
            throw new KeyringException(refusal("store the key in", result), null);
        }
    }

    @Override
    public void remove(String account) {
        refuseWithoutSession();
        var result = tool.run(List.of("clear", "service", SERVICE, ATTRIBUTE, account), "");
        // clear ends with 1 and says nothing when there was nothing to clear
        if (!result.ok() && !result.err().isBlank()) {
            throw new KeyringException(refusal("remove the key from", result), null);
        }
    }

    private String refusal(String what, KeyringTool.Result result) {
        var reason = result.reason("secret-tool ended with status " + result.exit());
        var lower = reason.toLowerCase(java.util.Locale.ROOT);
        var advice = lower.contains("locked") || lower.contains("collection")
                ? "unlock the login keyring (sign in to the desktop, or 'gnome-keyring-daemon --unlock' on a"
                        + " server) and try again"
                : "check that a Secret Service (GNOME Keyring, KWallet) runs in this session and try again";
        return "cannot " + what + " " + name() + ": " + reason + "; " + advice;
    }

    private void refuseWithoutSession() {
        var noSession = noSession();
        if (noSession != null) {
            throw new KeyringException(noSession, null);
        }
    }

    /**
     * Why no session bus can be reached, or null: without {@code DBUS_SESSION_BUS_ADDRESS}, a
     * display to start one on or the user's bus socket, secret-tool could only fail.
     */
    private String noSession() {
        if (tool.variable("DBUS_SESSION_BUS_ADDRESS")
                        .filter(value -> !value.isBlank())
                        .isPresent()
                || tool.variable("DISPLAY").filter(value -> !value.isBlank()).isPresent()) {
            return null;
        }
        var runtime = tool.variable("XDG_RUNTIME_DIR").filter(value -> !value.isBlank());
        if (runtime.isPresent() && Files.exists(Path.of(runtime.get(), "bus"))) {
            return null;
        }
        return "no D-Bus session to reach a Secret Service through (DBUS_SESSION_BUS_ADDRESS is not set)";
    }
}
