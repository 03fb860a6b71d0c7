package dev.aios.kernel.internal.keyring;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a keyring's command-line tool. A secret only ever passes through the tool's standard input
 * and output, never its arguments (which every local user can read in the process list).
 */
final class KeyringTool {
    /** How long a tool may take: long enough for an operator to answer an unlock prompt. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path executable;
    private final Map<String, String> environment;

    KeyringTool(Path executable, Map<String, String> environment) {
        this.executable = executable;
        this.environment = Map.copyOf(environment);
    }

    /** What one call of the tool gave. */
    record Result(int exit, String out, String err) {
        boolean ok() {
            return exit == 0;
        }

        /** The first line the tool wrote to its error stream, or {@code fallback}. */
        String reason(String fallback) {
            return err.lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty())
                    .findFirst()
                    .orElse(fallback);
        }
    }

    /** The tool's path, for messages. */
    Path executable() {
        return executable;
    }

    /** Where the tool reads the session from (e.g. {@code DBUS_SESSION_BUS_ADDRESS}). */
    Optional<String> variable(String name) {
        return Optional.ofNullable(environment.get(name)).or(() -> Optional.ofNullable(System.getenv(name)));
    }

    /**
     * Runs the tool with {@code arguments}, writing {@code input} to its standard input.
     *
     * @throws KeyringException when it cannot be started or does not end within {@link #TIMEOUT}
     */
    Result run(List<String> arguments, String input) {
        var command = new java.util.ArrayList<String>();
        command.add(executable.toString());
        command.addAll(arguments);
        var builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new KeyringException("cannot run " + executable + ": " + e.getMessage(), e);
        }
        var out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()), Thread::startVirtualThread);
        var err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()), Thread::startVirtualThread);
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the tool ended without reading its input; its exit status and error stream say why
        }
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new KeyringException(
                        executable.getFileName() + " did not answer within " + TIMEOUT.toSeconds()
                                + " s (an unlock prompt nobody answered?)",
                        null);
            }
            return new Result(process.exitValue(), out.get(), err.get());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new KeyringException("interrupted while waiting for " + executable.getFileName(), e);
        } catch (ExecutionException e) {
            throw new KeyringException("cannot read what " + executable.getFileName() + " answered", e);
        }
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** {@code name} on the {@code PATH} of {@code environment} (else of this process), if executable. */
    static Optional<Path> onPath(String name, Map<String, String> environment) {
        var path = Optional.ofNullable(environment.get("PATH")).orElseGet(() -> System.getenv("PATH"));
        if (path == null) {
            return Optional.empty();
        }
        for (var directory : path.split(java.io.File.pathSeparator)) {
            if (directory.isBlank()) {
                continue;
            }
            var candidate = Path.of(directory).resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
