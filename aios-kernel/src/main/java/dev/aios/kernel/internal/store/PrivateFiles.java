package dev.aios.kernel.internal.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A data directory holds every subject's payloads and the keys to them, so it is private to its
 * owner whatever the umask: the directory 0700, its files 0600 (where the file system has POSIX
 * permissions; elsewhere the OS's defaults apply).
 */
public final class PrivateFiles {
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {}

    /** Creates {@code directory} (and its parents) if needed and makes it readable by its owner only. */
    public static void directory(Path directory) {
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory);
            }
            restrict(directory, DIRECTORY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + directory + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes {@code file} readable by its owner only, creating it empty first when it does not exist,
     * so that no other user can open it even for a moment.
     */
    public static void file(Path file) {
        try {
            if (isPosix(file.getParent())) {
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
                } catch (FileAlreadyExistsException e) {
                    Files.setPosixFilePermissions(file, FILE);
                }
            } else if (!Files.exists(file)) {
                Files.createFile(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + file + " private: " + e.getMessage(), e);
        }
    }

    /** Makes {@code file} readable by its owner only, if it exists. */
    public static void existing(Path file) {
        if (Files.exists(file)) {
            file(file);
        }
    }

    /** Writes {@code bytes} to {@code file}, which is private to its owner before anything is in it. */
    public static void write(Path file, byte[] bytes) throws IOException {
        file(file);
        Files.write(file, bytes);
    }

    private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
        if (isPosix(path)) {
            Files.setPosixFilePermissions(path, permissions);
        }
    }

    private static boolean isPosix(Path path) throws IOException {
        var at = path == null ? Path.of(".") : path;
        return Files.getFileStore(at.toAbsolutePath()).supportsFileAttributeView("posix");
    }
}
