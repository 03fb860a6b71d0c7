package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.aios.testing.SecretServiceSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The master key kept in the OS keyring: a real Secret Service (GNOME Keyring on a private D-Bus
 * session) reached through {@code secret-tool}, as on a Linux desktop or a server with a keyring.
 */
class MasterKeyInKeyringTest {
    @TempDir
    Path dir;

    private SecretServiceSession session;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    private SecretServiceSession session() {
        if (session == null) {
            var missing = SecretServiceSession.missingPrograms();
            assumeTrue(
                    missing.isEmpty(),
                    "no Secret Service to test the keyring against: " + missing + " not on the PATH (Debian: apt"
                            + " install dbus gnome-keyring libsecret-tools)");
            session = SecretServiceSession.start(dir.resolve("home")).orElseThrow();
            logs.start();
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        }
        return session;
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        if (session != null) {
            session.close();
        }
    }

    /** What a kernel started in the session sees, with {@code AIOS_KEYRING} set to {@code keyring} when given. */
    private MasterKeySource source(Optional<String> keyring) {
        var environment = new HashMap<>(session().environment());
        keyring.ifPresent(value -> environment.put(MasterKeySource.KEYRING_VARIABLE, value));
        return MasterKeySource.of(environment);
    }

    private Kernel kernel(Path data, MasterKeySource source) {
        return Kernel.builder().dataDirectory(data).masterKey(source).build();
    }

    private SecretServiceSession.Result entryOf(Path data) throws Exception {
        return session()
                .secretTool(
                        "lookup",
                        "service",
                        "aios",
                        "data-directory",
                        data.toRealPath().toString());
    }

    private void assertNoLogHolds(String key) {
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(line -> line.contains(key));
    }

    @Test
    void withTheKeyringOnANewDataDirectoryKeepsItsMasterKeyThereAndNoFileHoldsIt() throws Exception {
        var data = dir.resolve("data");
        try (var kernel = kernel(data, source(Optional.of("1")))) {
            kernel.secrets().put("connector.stripe.apiKey", "sk_live_of_the_studio");
            assertThat(kernel.masterKeyOrigin()).isEqualTo("the Secret Service (secret-tool)");
        }
        assertThat(data.resolve("master.key")).doesNotExist();
        var entry = entryOf(data);
        assertThat(entry.exit()).isZero();
        assertThat(java.util.Base64.getDecoder().decode(entry.output().strip())).hasSize(32);

        // Without any setting the next start finds the key where it is, and opens what it sealed.
        try (var kernel = kernel(data, source(Optional.empty()))) {
            assertThat(kernel.secrets().get("connector.stripe.apiKey")).contains("sk_live_of_the_studio");
        }
        assertThat(Admin.verify(data, Optional.empty(), source(Optional.empty()), ProgressListener.NONE)
                        .ok())
                .isTrue();

        // A copy of the data directory alone holds no key: offline work on it stops and says why.
        var copy = Files.createDirectories(dir.resolve("copy"));
        for (var name : new String[] {"aios.db", "aios.db-wal"}) {
            if (Files.exists(data.resolve(name))) {
                Files.copy(data.resolve(name), copy.resolve(name));
            }
        }
        assertThatThrownBy(() -> Admin.verify(copy, Optional.empty(), source(Optional.empty()), ProgressListener.NONE))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("the Secret Service (secret-tool) holds none for it");
        assertThat(copy.resolve("master.key")).doesNotExist();
        assertNoLogHolds(entry.output().strip());
    }

    @Test
    void movingTheKeyFileIntoTheKeyringAndBackKeepsEverySealedValueReadable() throws Exception {
        var data = dir.resolve("data");
        try (var kernel = kernel(data, source(Optional.empty()))) {
            kernel.secrets().put("connector.mail.password", "hunter2-of-the-studio");
            assertThat(kernel.masterKeyOrigin())
                    .isEqualTo(data.resolve("master.key").toString());
        }
        var key = Files.readString(data.resolve("master.key")).strip();

        assertThat(Admin.moveMasterKeyToKeyring(data, source(Optional.empty())))
                .isEqualTo("the Secret Service (secret-tool)");
        assertThat(data.resolve("master.key")).doesNotExist();
        assertThat(entryOf(data).output().strip()).isEqualTo(key);
        assertThat(Admin.masterKeyPlace(data, source(Optional.empty()))).isEqualTo("the Secret Service (secret-tool)");
        try (var kernel = kernel(data, source(Optional.empty()))) {
            assertThat(kernel.masterKeyOrigin()).isEqualTo("the Secret Service (secret-tool)");
            assertThat(kernel.secrets().get("connector.mail.password")).contains("hunter2-of-the-studio");
        }
        // Moving again is a no-op, not an error: the key is where it was asked to be.
        assertThat(Admin.moveMasterKeyToKeyring(data, source(Optional.empty())))
                .isEqualTo("the Secret Service (secret-tool)");

        assertThat(Admin.moveMasterKeyToFile(data, source(Optional.empty())))
                .isEqualTo(data.resolve("master.key").toString());
        assertThat(Files.readString(data.resolve("master.key")).strip()).isEqualTo(key);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(data.resolve("master.key"))))
                .isEqualTo("rw-------");
        assertThat(entryOf(data).exit()).isNotZero();
        try (var kernel = kernel(data, source(Optional.empty()))) {
            assertThat(kernel.secrets().get("connector.mail.password")).contains("hunter2-of-the-studio");
        }
        assertNoLogHolds(key);
    }

    @Test
    void aMoveNeverReplacesADifferentKeyTheKeyringAlreadyHolds() throws Exception {
        var data = dir.resolve("data");
        try (var kernel = kernel(data, source(Optional.of("0")))) {
            kernel.secrets().put("connector.mail.password", "hunter2-of-the-studio");
        }
        var key = Files.readString(data.resolve("master.key")).strip();
        var other = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        session()
                .secretToolReading(
                        other,
                        "store",
                        "--label=another key",
                        "service",
                        "aios",
                        "data-directory",
                        data.toRealPath().toString());

        assertThatThrownBy(() -> Admin.moveMasterKeyToKeyring(data, source(Optional.empty())))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("already holds a different master key")
                .hasMessageContaining("nothing was changed");
        assertThat(Files.readString(data.resolve("master.key")).strip()).isEqualTo(key);
        assertThat(entryOf(data).output().strip()).isEqualTo(other);
        // While the file is there and the keyring is not asked for, the file wins.
        try (var kernel = kernel(data, source(Optional.empty()))) {
            assertThat(kernel.secrets().get("connector.mail.password")).contains("hunter2-of-the-studio");
        }
    }

    @Test
    void aLockedKeyringStopsTheStartWithAClearErrorAndNoNewKeyIsMade() throws Exception {
        var data = dir.resolve("data");
        try (var kernel = kernel(data, source(Optional.of("1")))) {
            kernel.secrets().put("connector.stripe.apiKey", "sk_live_of_the_studio");
        }
        session().lock();

        assertThatThrownBy(() -> kernel(data, source(Optional.empty())))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("holds the master key of")
                .hasMessageContaining("but is locked")
                .hasMessageContaining("unlock it");
        assertThatThrownBy(() -> Admin.moveMasterKeyToFile(data, source(Optional.empty())))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("is locked");
        assertThat(data.resolve("master.key")).doesNotExist();
    }

    @Test
    void aKeyringAskedForButNotThereIsAClearErrorWhileWithoutTheSettingTheKeyFileServes() throws Exception {
        var nowhere = Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + dir.resolve("no-bus"));
        var data = dir.resolve("data");
        session(); // secret-tool must be on the PATH for the keyring to be asked at all

        var required = new HashMap<>(nowhere);
        required.put(MasterKeySource.KEYRING_VARIABLE, "1");
        assertThatThrownBy(() -> kernel(data, MasterKeySource.of(required)))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("the Secret Service (secret-tool) does not answer")
                .hasMessageContaining("kernel.keyring: false");
        assertThat(data.resolve("master.key")).doesNotExist();

        var noTool = new HashMap<>(required);
        noTool.put("PATH", Files.createDirectories(dir.resolve("empty-bin")).toString());
        assertThatThrownBy(() -> kernel(data, MasterKeySource.of(noTool)))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("no keyring tool is on the PATH")
                .hasMessageContaining("libsecret-tools");

        try (var kernel = kernel(data, MasterKeySource.of(nowhere))) {
            assertThat(kernel.masterKeyOrigin())
                    .isEqualTo(data.resolve("master.key").toString());
        }
        assertThatThrownBy(() -> Admin.moveMasterKeyToKeyring(data, MasterKeySource.of(nowhere)))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("does not answer")
                .hasMessageContaining("nothing was changed");
        assertThat(data.resolve("master.key")).exists();
    }
}
