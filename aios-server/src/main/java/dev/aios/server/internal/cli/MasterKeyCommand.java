package dev.aios.server.internal.cli;

import dev.aios.kernel.Admin;
import dev.aios.kernel.MasterKeySource;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aios admin key}: where the master key is, and moving it between the data directory's key
 * file and the OS keyring. It never prints the key.
 */
@Command(
        name = "key",
        description = "Says where the master key is (AIOS_MASTER_KEY, the OS keyring or master.key) and moves it"
                + " between master.key and the OS keyring (Secret Service on Linux, keychain on macOS); the key"
                + " itself is never printed.")
final class MasterKeyCommand extends AdminCommand.OnDataDirectory {
    @ArgGroup(exclusive = true)
    Move move;

    static final class Move {
        @Option(
                names = "--to-keyring",
                description = "move master.key into the OS keyring; the file is removed only after the keyring gave"
                        + " the same key back")
        boolean toKeyring;

        @Option(
                names = "--to-file",
                description = "move the key from the OS keyring back into master.key (0600); the keyring's entry is"
                        + " removed only after the file reads back the same")
        boolean toFile;
    }

    @Override
    public Integer call() {
        var directory = dataDirectory();
        var source = MasterKeySource.of(AiosCommand.environment(spec));
        var out = spec.commandLine().getOut();
        if (move == null) {
            out.println("the master key of " + directory + " is in " + Admin.masterKeyPlace(directory, source));
        } else if (move.toKeyring) {
            var keyring = Admin.moveMasterKeyToKeyring(directory, source);
            out.println("the master key of " + directory + " is now in " + keyring + " and "
                    + directory.resolve(Admin.MASTER_KEY_FILE) + " is removed; aios finds it there on its next"
                    + " start. Keep a copy apart (a backup made with it): without it nothing encrypted can be read");
        } else {
            var file = Admin.moveMasterKeyToFile(directory, source);
            out.println("the master key of " + directory + " is now in " + file + " (only you can read it)"
                    + " and no longer in the OS keyring");
        }
        if (source.variable().isPresent() && move != null) {
            out.println("note: " + MasterKeySource.VARIABLE + " is set, and aios uses it before both");
        }
        out.flush();
        return 0;
    }
}
