package dev.aios.kernel.internal.access;

import dev.aios.kernel.Actor;
import dev.aios.kernel.Scope;
import dev.aios.kernel.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;

/**
 * The first token of a data directory: an {@code admin} token written to {@code admin.token}, a
 * file only its owner can read, so that the operator (and the command line on the same machine)
 * can use aios at once. Its secret is never logged.
 */
public final class AdminToken {
    /** The file, in the data directory, that holds the first admin token. */
    public static final String FILE = "admin.token";

    private AdminToken() {}

    /** Creates the admin token and its file when the data directory has no token at all. */
    public static Optional<Path> ensure(TokenStore tokens, Path directory) {
        if (tokens.any()) {
            return Optional.empty();
        }
        var issued = tokens.create("admin", EnumSet.of(Scope.ADMIN), Optional.empty(), Actor.KERNEL);
        var file = directory.resolve(FILE);
        try {
            Files.deleteIfExists(file);
            writePrivate(file, issued.secret() + "\n");
        } catch (IOException e) {
            tokens.revoke("admin", Actor.KERNEL);
            throw new StorageException(
                    "cannot write the admin token to " + file + ": " + e.getMessage()
                            + "; check that the data directory can be written",
                    e);
        }
        return Optional.of(file);
    }

    /** Writes {@code text} to a new file readable and writable by its owner only (where the OS has such rights). */
    public static void writePrivate(Path file, String text) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw e;
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
