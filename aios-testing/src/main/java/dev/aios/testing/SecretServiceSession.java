package dev.aios.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A headless freedesktop Secret Service of its own: a private D-Bus session ({@code dbus-run-session})
 * with GNOME Keyring's secrets component, its login keyring created and unlocked in a temporary home.
 * Code under test reaches it through {@link #environment()}; nothing of the user's own session is
 * touched. Needs the Debian packages {@code dbus}, {@code gnome-keyring} and {@code libsecret-tools}.
 *
 * <pre>{@code
 * try (var keyring = SecretServiceSession.start(dir).orElseThrow()) {
 *     run("secret-tool", keyring.environment());
 * }
 * }</pre>
 */
public final class SecretServiceSession implements AutoCloseable {
    /** The programs a session needs. */
    public static final List<String> PROGRAMS =
            List.of("dbus-run-session", "dbus-send", "gnome-keyring-daemon", "secret-tool");

    private static final Duration START_LIMIT = Duration.ofSeconds(60);

    private final Process process;
    private final Writer stdin;
    private final String address;

    private SecretServiceSession(Process process, Writer stdin, String address) {
        this.process = process;
        this.stdin = stdin;
        this.address = address;
    }

    /** Which of {@link #PROGRAMS} are not on the PATH; empty when a session can start. */
    public static List<String> missingPrograms() {
        var missing = new ArrayList<String>();
        for (var program : PROGRAMS) {
            if (onPath(program).isEmpty()) {
                missing.add(program);
            }
        }
        return missing;
    }

    /**
     * Starts a session whose keyring files live under {@code home}; empty when a program is missing
     * (see {@link #missingPrograms()}).
     *
     * @throws IllegalStateException when the programs are there but the session does not come up
     */
    public static Optional<SecretServiceSession> start(Path home) {
        if (!missingPrograms().isEmpty()) {
            return Optional.empty();
        }
        try {
            var runtime = Files.createDirectories(home.resolve("run"));
            Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
            // The shell unlocks a new login keyring with a throwaway password, says where the bus is,
            // then waits on its input: closing that input ends the shell, and with it the session.
            var builder = new ProcessBuilder(
                    "dbus-run-session",
                    "--",
                    "sh",
                    "-c",
                    "printf %s session-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null"
                            + " && echo \"READY $DBUS_SESSION_BUS_ADDRESS\"; read line");
            builder.environment().put("HOME", home.toString());
            builder.environment().put("XDG_DATA_HOME", home.resolve("data").toString());
            builder.environment().put("XDG_CONFIG_HOME", home.resolve("config").toString());
            builder.environment().put("XDG_CACHE_HOME", home.resolve("cache").toString());
            builder.environment().put("XDG_RUNTIME_DIR", runtime.toString());
            builder.environment().remove("DBUS_SESSION_BUS_ADDRESS");
            builder.environment().remove("DISPLAY");
            builder.redirectError(home.resolve("session.log").toFile());
            var process = builder.start();
            var stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            var ready = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            String line;
                            while ((line = out.readLine()) != null) {
                                if (line.startsWith("READY ")) {
                                    return line.substring("READY ".length()).strip();
                                }
                            }
                            return null;
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    Thread::startVirtualThread);
            String address;
            try {
                address = ready.get(START_LIMIT.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                address = null;
            }
            if (address == null || address.isEmpty()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("the Secret Service session did not come up; see "
                        + home.resolve("session.log") + ":\n" + Files.readString(home.resolve("session.log")));
            }
            return Optional.of(new SecretServiceSession(process, stdin, address));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting a Secret Service", e);
        }
    }

    /** The variables that lead a Secret Service client to this session. */
    public Map<String, String> environment() {
        return Map.of("DBUS_SESSION_BUS_ADDRESS", address);
    }

    /** Runs {@code secret-tool} with {@code arguments} in this session: its exit status and output. */
    public Result secretTool(String... arguments) {
        return secretToolReading("", arguments);
    }

    /** As {@link #secretTool}, writing {@code input} (e.g. the secret to store) to its standard input. */
    public Result secretToolReading(String input, String... arguments) {
        var command = new ArrayList<String>();
        command.add("secret-tool");
        command.addAll(List.of(arguments));
        return run(command, input);
    }

    /** Locks the login keyring, as a screen lock or a new boot would. */
    public void lock() {
        var result = run(
                List.of(
                        "dbus-send",
                        "--session",
                        "--print-reply",
                        "--dest=org.freedesktop.secrets",
                        "/org/freedesktop/secrets",
                        "org.freedesktop.Secret.Service.Lock",
                        "array:objpath:/org/freedesktop/secrets/collection/login"),
                "");
        if (result.exit() != 0) {
            throw new IllegalStateException("could not lock the keyring: " + result.output());
        }
    }

    /** What a program run in the session gave. */
    public record Result(int exit, String output) {}

    private Result run(List<String> command, String input) {
        try {
            var builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment());
            var process = builder.start();
            try (var in = process.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command.getFirst() + " did not end within 60 s");
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Ends the session: the shell, the bus and the keyring daemon. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // the shell is gone already
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Optional<Path> onPath(String name) {
        var path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (var directory : path.split(java.io.File.pathSeparator)) {
            var candidate = Path.of(directory.isEmpty() ? "." : directory).resolve(name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
