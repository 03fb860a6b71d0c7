package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aios.kernel.Kernel;
import dev.aios.kernel.MasterKeySource;
import dev.aios.testing.SecretServiceSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aios admin key}: an operator moves the master key of a data directory into the OS keyring
 * (a real Secret Service on a private D-Bus session) and back, and sees where it is; it is never
 * printed.
 */
class MasterKeyCommandTest {
    @TempDir
    Path dir;

    @Test
    void anOperatorMovesTheKeyFileIntoTheKeyringAndAiosKeepsOpeningItsData() throws Exception {
        var missing = SecretServiceSession.missingPrograms();
        assumeTrue(
                missing.isEmpty(),
                "no Secret Service to test the keyring against: " + missing + " not on the PATH (Debian: apt install"
                        + " dbus gnome-keyring libsecret-tools)");
        try (var session = SecretServiceSession.start(dir.resolve("home")).orElseThrow()) {
            var data = dir.resolve("data");
            var environment = session.environment();
            try (var kernel = Kernel.builder()
                    .dataDirectory(data)
                    .masterKey(MasterKeySource.of(environment))
                    .build()) {
                kernel.secrets().put("connector.mail.password", "hunter2-of-the-studio");
            }
            var key = Files.readString(data.resolve("master.key")).strip();

            var where = TestAios.cli(environment, "admin", "key", "--data", data.toString());
            assertThat(where.exitCode()).as(where.err()).isZero();
            assertThat(where.out()).contains("is in " + data.resolve("master.key"));

            var moved = TestAios.cli(environment, "admin", "key", "--to-keyring", "--data", data.toString());
            assertThat(moved.exitCode()).as(moved.err()).isZero();
            assertThat(moved.out())
                    .contains("is now in the Secret Service (secret-tool)")
                    .contains("master.key is removed")
                    .doesNotContain(key);
            assertThat(data.resolve("master.key")).doesNotExist();
            assertThat(TestAios.cli(environment, "admin", "key", "--data", data.toString())
                            .out())
                    .contains("is in the Secret Service (secret-tool)");

            var verified = TestAios.cli(environment, "admin", "verify", "--data", data.toString());
            assertThat(verified.exitCode()).as(verified.err()).isZero();
            try (var kernel = Kernel.builder()
                    .dataDirectory(data)
                    .masterKey(MasterKeySource.of(environment))
                    .build()) {
                assertThat(kernel.secrets().get("connector.mail.password")).contains("hunter2-of-the-studio");
            }

            session.lock();
            var locked = TestAios.cli(environment, "admin", "verify", "--data", data.toString());
            assertThat(locked.exitCode()).isNotZero();
            assertThat(locked.err()).contains("is locked").contains("unlock it");

            var elsewhere = new HashMap<>(Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + dir.resolve("no-bus")));
            var back = TestAios.cli(elsewhere, "admin", "key", "--to-file", "--data", data.toString());
            assertThat(back.exitCode()).isNotZero();
            assertThat(back.err()).contains("does not answer").contains("nothing was changed");
            assertThat(data.resolve("master.key")).doesNotExist();
        }
    }
}
