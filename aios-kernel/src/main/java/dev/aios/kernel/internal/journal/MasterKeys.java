package dev.aios.kernel.internal.journal;

import dev.aios.kernel.MasterKeySource;
import dev.aios.kernel.MasterKeySource.Keyring;
import dev.aios.kernel.StorageException;
import dev.aios.kernel.internal.keyring.KeyringException;
import dev.aios.kernel.internal.keyring.OsKeyring;
import dev.aios.kernel.internal.keyring.OsKeyring.Lookup;
import dev.aios.kernel.internal.store.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds, creates and moves the master key of a data directory, in the order {@link MasterKeySource}
 * describes. Messages and logs name where a key is, never the key.
 */
public final class MasterKeys {
    private static final Logger LOG = LoggerFactory.getLogger(MasterKeys.class);

    private MasterKeys() {}

    /** Where a data directory's master key is kept. */
    public enum Place {
        /** In {@code AIOS_MASTER_KEY}. */
        VARIABLE,
        /** In the OS keyring. */
        KEYRING,
        /** In the data directory's {@code master.key}. */
        FILE,
        /** Nowhere yet: the first start creates it. */
        NONE
    }

    /** Where the key of a data directory is, and how that place is called in messages. */
    public record Location(Place place, String description) {}

    /**
     * The master key of {@code dataDirectory}, created (in the keyring with {@link Keyring#ON}, else
     * in {@code master.key}) when it has none yet.
     *
     * @throws StorageException when the keyring that should hold it is locked or cannot be reached,
     *     or the key found is not 32 bytes of base64
     */
    public static MasterKey open(Path dataDirectory, MasterKeySource source) {
        return find(dataDirectory, source, true);
    }

    /**
     * The master key {@code dataDirectory} already has; never creates one: a new key would open none
     * of the keys it wrapped, so offline work (verify, rebuild) must stop and say so.
     *
     * @throws StorageException when there is none, naming where to put it back
     */
    public static MasterKey existing(Path dataDirectory, MasterKeySource source) {
        return find(dataDirectory, source, false);
    }

    private static MasterKey find(Path dataDirectory, MasterKeySource source, boolean create) {
        if (source.variable().isPresent()) {
            return MasterKey.decoded(source.variable().get(), MasterKey.VARIABLE);
        }
        var file = dataDirectory.resolve(MasterKey.FILE);
        var hasFile = Files.exists(file);
        if (source.keyring() == Keyring.OFF || (source.keyring() == Keyring.AUTO && hasFile)) {
            return fromFile(file, create, Optional.empty());
        }
        var keyring = OsKeyring.of(source.environment());
        if (keyring.isEmpty()) {
            if (source.keyring() == Keyring.ON) {
                throw new StorageException(
                        MasterKeySource.KEYRING_VARIABLE + "=1 (or kernel.keyring: true) keeps the master key in the"
                                + " OS keyring, but no keyring tool is on the PATH: install secret-tool (Debian and"
                                + " Ubuntu: libsecret-tools) with a Secret Service such as GNOME Keyring, or set"
                                + " kernel.keyring: false to keep it in " + file,
                        null);
            }
            return fromFile(file, create, Optional.empty());
        }
        var account = account(dataDirectory);
        var lookup = lookup(keyring.get(), account);
        switch (lookup) {
            case Lookup.Found found -> {
                if (hasFile) {
                    LOG.warn(
                            "the master key of {} is taken from {}; {} beside it is not used (run 'aios admin key"
                                    + " --to-keyring' to check that they match and remove the file)",
                            dataDirectory,
                            keyring.get().name(),
                            file);
                }
                return MasterKey.decoded(found.secret(), keyring.get().name());
            }
            case Lookup.Locked locked ->
                throw new StorageException(
                        keyring.get().name() + " holds the master key of " + dataDirectory + " but is locked ("
                                + locked.reason() + "): unlock it (sign in to the desktop, or 'gnome-keyring-daemon"
                                + " --unlock' on a server) and start again, or set " + MasterKey.VARIABLE,
                        null);
            case Lookup.Unreachable unreachable -> {
                if (source.keyring() == Keyring.ON) {
                    throw new StorageException(
                            "the master key is to be kept in the OS keyring (" + MasterKeySource.KEYRING_VARIABLE
                                    + "=1 or kernel.keyring: true), but "
                                    + keyring.get().name() + " does not"
                                    + " answer: " + unreachable.reason() + "; start a Secret Service in this"
                                    + " session (e.g. GNOME Keyring), or set kernel.keyring: false to keep it in "
                                    + file,
                            null);
                }
                return fromFile(file, create, Optional.of(keyring.get().name()));
            }
            case Lookup.Missing missing -> {
                if (hasFile) {
                    LOG.warn(
                            "the master key of {} is still in {}: run 'aios admin key --to-keyring' to move it into"
                                    + " {}",
                            dataDirectory,
                            file,
                            keyring.get().name());
                    return fromFile(file, create, Optional.empty());
                }
                if (!create || source.keyring() == Keyring.AUTO) {
                    return fromFile(file, create, Optional.of(keyring.get().name()));
                }
                var key = MasterKey.generated(keyring.get().name());
                store(keyring.get(), account, key);
                LOG.info(
                        "created the master key of {} in {}",
                        dataDirectory,
                        keyring.get().name());
                return key;
            }
        }
    }

    private static MasterKey fromFile(Path file, boolean create, Optional<String> keyringAsked) {
        try {
            if (!Files.exists(file)) {
                if (!create) {
                    throw new StorageException(
                            "no master key for " + file.getParent() + ": " + MasterKey.VARIABLE + " is not set, "
                                    + file + " is missing"
                                    + keyringAsked
                                            .map(name -> " and " + name + " holds none for" + " it")
                                            .orElse("")
                                    + " (and a key is never created here: a new key would open none of the stored"
                                    + " ones); put the key back at " + file + " (from where you keep it apart, or a"
                                    + " backup made with it) or set " + MasterKey.VARIABLE + " to it; a data directory"
                                    + " that never had one gets it when aios first starts on it",
                            null);
                }
                var key = MasterKey.generated(file.toString());
                PrivateFiles.write(file, (key.encoded() + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            PrivateFiles.file(file);
            return MasterKey.decoded(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
        } catch (IOException e) {
            throw new StorageException(
                    "cannot read or create the master key " + file + ": " + e.getMessage()
                            + "; check the data directory's permissions or set " + MasterKey.VARIABLE,
                    e);
        }
    }

    /**
     * Moves the master key of {@code dataDirectory} from its {@code master.key} into the OS keyring:
     * stores it, reads it back, and only when the keyring gives back the same key removes the file.
     *
     * @return where the key is now
     * @throws StorageException when there is no keyring, it is locked, or already holds another key
     *     for the directory; the file is then left as it was
     */
    public static Location toKeyring(Path dataDirectory, MasterKeySource source) {
        var keyring = requireKeyring(dataDirectory, source);
        var account = account(dataDirectory);
        var file = dataDirectory.resolve(MasterKey.FILE);
        var held = lookup(keyring, account);
        if (!Files.exists(file)) {
            if (held instanceof Lookup.Found) {
                return new Location(Place.KEYRING, keyring.name());
            }
            throw new StorageException(
                    "no " + file + " to move: the master key of " + dataDirectory + " is not in that file"
                            + (source.variable().isPresent() ? " (" + MasterKey.VARIABLE + " holds it)" : ""),
                    null);
        }
        var key = fromFile(file, false, Optional.empty());
        switch (held) {
            case Lookup.Found found -> {
                if (!MasterKey.decoded(found.secret(), keyring.name()).sameAs(key)) {
                    throw new StorageException(
                            keyring.name() + " already holds a different master key for " + dataDirectory
                                    + "; nothing was changed. Find out which one opens its data ('aios admin verify'"
                                    + " with each), then remove the other",
                            null);
                }
            }
            case Lookup.Missing missing -> store(keyring, account, key);
            case Lookup.Locked locked ->
                throw new StorageException(
                        keyring.name() + " is locked (" + locked.reason() + "): unlock it and run this again;"
                                + " nothing was changed",
                        null);
            case Lookup.Unreachable unreachable -> throw unreachable(keyring, unreachable);
        }
        if (!(lookup(keyring, account) instanceof Lookup.Found back)
                || !MasterKey.decoded(back.secret(), keyring.name()).sameAs(key)) {
            throw new StorageException(
                    keyring.name() + " did not give the master key back as it was stored; " + file
                            + " is kept and still used",
                    null);
        }
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new StorageException(
                    "the master key is now in " + keyring.name() + " but " + file + " could not be removed: "
                            + e.getMessage() + "; remove it yourself",
                    e);
        }
        LOG.info("moved the master key of {} from {} into {}", dataDirectory, file, keyring.name());
        return new Location(Place.KEYRING, keyring.name());
    }

    /**
     * Moves the master key of {@code dataDirectory} from the OS keyring back into its {@code
     * master.key}: writes the file (0600), reads it back, and only then removes the keyring's entry.
     *
     * @return where the key is now
     * @throws StorageException when the keyring holds no key for it or cannot be reached, or a
     *     different {@code master.key} is already there
     */
    public static Location toFile(Path dataDirectory, MasterKeySource source) {
        var keyring = requireKeyring(dataDirectory, source);
        var account = account(dataDirectory);
        var file = dataDirectory.resolve(MasterKey.FILE);
        var key =
                switch (lookup(keyring, account)) {
                    case Lookup.Found found -> MasterKey.decoded(found.secret(), keyring.name());
                    case Lookup.Missing missing -> {
                        if (Files.exists(file)) {
                            yield null;
                        }
                        throw new StorageException(
                                keyring.name() + " holds no master key for " + dataDirectory + "; nothing to move",
                                null);
                    }
                    case Lookup.Locked locked ->
                        throw new StorageException(
                                keyring.name() + " is locked (" + locked.reason() + "): unlock it and run this again",
                                null);
                    case Lookup.Unreachable unreachable -> throw unreachable(keyring, unreachable);
                };
        if (key == null) {
            return new Location(Place.FILE, file.toString());
        }
        if (Files.exists(file) && !fromFile(file, false, Optional.empty()).sameAs(key)) {
            throw new StorageException(
                    file + " holds a different master key than " + keyring.name() + "; nothing was changed."
                            + " Find out which one opens its data ('aios admin verify' with each), then remove the"
                            + " other",
                    null);
        }
        try {
            PrivateFiles.write(file, (key.encoded() + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new StorageException("cannot write " + file + ": " + e.getMessage() + "; nothing was changed", e);
        }
        if (!fromFile(file, false, Optional.empty()).sameAs(key)) {
            throw new StorageException(file + " does not read back as written; the keyring entry is kept", null);
        }
        try {
            keyring.remove(account);
        } catch (KeyringException e) {
            throw new StorageException(
                    "the master key is now in " + file + " but " + keyring.name() + " kept its entry: "
                            + e.getMessage(),
                    e);
        }
        LOG.info("moved the master key of {} from {} into {}", dataDirectory, keyring.name(), file);
        return new Location(Place.FILE, file.toString());
    }

    /** Where the master key of {@code dataDirectory} is, as a kernel started with {@code source} would find it. */
    public static Location locate(Path dataDirectory, MasterKeySource source) {
        if (source.variable().isPresent()) {
            return new Location(Place.VARIABLE, MasterKey.VARIABLE);
        }
        var file = dataDirectory.resolve(MasterKey.FILE);
        var hasFile = Files.exists(file);
        if (source.keyring() != Keyring.OFF && (source.keyring() == Keyring.ON || !hasFile)) {
            var keyring = OsKeyring.of(source.environment());
            if (keyring.isPresent() && lookup(keyring.get(), account(dataDirectory)) instanceof Lookup.Found) {
                return new Location(Place.KEYRING, keyring.get().name());
            }
        }
        return hasFile ? new Location(Place.FILE, file.toString()) : new Location(Place.NONE, "none yet");
    }

    private static OsKeyring requireKeyring(Path dataDirectory, MasterKeySource source) {
        return OsKeyring.of(source.environment())
                .orElseThrow(() -> new StorageException(
                        "no OS keyring tool on the PATH: install secret-tool (Debian and Ubuntu: libsecret-tools)"
                                + " with a Secret Service such as GNOME Keyring; the master key of " + dataDirectory
                                + " stays where it is",
                        null));
    }

    private static StorageException unreachable(OsKeyring keyring, Lookup.Unreachable unreachable) {
        return new StorageException(
                keyring.name() + " does not answer: " + unreachable.reason()
                        + "; start a Secret Service in this session (e.g. GNOME Keyring) and run this again;"
                        + " nothing was changed",
                null);
    }

    private static Lookup lookup(OsKeyring keyring, String account) {
        try {
            return keyring.lookup(account);
        } catch (KeyringException e) {
            return new Lookup.Unreachable(e.getMessage());
        }
    }

    private static void store(OsKeyring keyring, String account, MasterKey key) {
        try {
            keyring.store(account, "aios master key for " + account, key.encoded());
        } catch (KeyringException e) {
            throw new StorageException(e.getMessage(), e);
        }
    }

    /** The keyring account of a data directory: its real absolute path, the same however it is named. */
    static String account(Path dataDirectory) {
        try {
            return dataDirectory.toRealPath().toString();
        } catch (IOException e) {
            return dataDirectory.toAbsolutePath().normalize().toString();
        }
    }
}
