package dev.aios.kernel.internal.store.sqlite;

import java.io.IOException;
import java.net.JarURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the SQLite driver loads its native library from: a copy kept in the user's cache folder
 * ({@code $XDG_CACHE_HOME/aios/native}, else {@code ~/.cache/aios/native}, readable by the user
 * only), in a folder named by the driver's version and the library's checksum.
 *
 * <p>Left to itself, the driver writes the library (1 MB) to the temporary folder under a new name
 * at every start and then compares the two copies byte by byte before loading it, and lists the
 * temporary folder to delete older copies: a tenth of the main thread before {@code /health}. The
 * copy here is written once, checked against the checksum the driver's jar records for it (its
 * CRC-32, a millisecond's work) at every start, and written again when it differs. Anything
 * unexpected (no home folder, a driver not loaded from a jar, properties the operator set) leaves
 * the driver to do as before, and so does a copy that will not load (a cache on a {@code noexec}
 * mount): the driver then extracts its own to the temporary folder.
 */
final class NativeLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLibrary.class);
    private static final String PATH = "org.sqlite.lib.path";
    private static final String NAME = "org.sqlite.lib.name";

    private NativeLibrary() {}

    /** Points the driver at the kept copy, once per process, before its first connection. */
    static synchronized void prepare() {
        if (System.getProperty(PATH) != null || System.getProperty(NAME) != null) {
            return;
        }
        try {
            var kept = cacheFolder(System.getenv());
            if (kept.isPresent()) {
                keep(kept.get())
                        .ifPresent(library ->
                                System.setProperty(PATH, library.getParent().toString()));
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.debug("the SQLite driver extracts its native library itself", e);
        }
    }

    /** The folder for kept native libraries, when the environment names a home. */
    static Optional<Path> cacheFolder(Map<String, String> environment) {
        var cache = environment.get("XDG_CACHE_HOME");
        if (cache != null && !cache.isBlank() && Path.of(cache).isAbsolute()) {
            return Optional.of(Path.of(cache, "aios", "native"));
        }
        var home = System.getProperty("user.home");
        if (home == null || home.isBlank() || home.equals("?")) {
            return Optional.empty();
        }
        return Optional.of(Path.of(home, ".cache", "aios", "native"));
    }

    /** The kept copy of the driver's library for this platform in {@code folder}, written if needed. */
    static Optional<Path> keep(Path folder) throws IOException {
        String resource = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath() + "/"
                + org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
        var url = org.sqlite.SQLiteJDBCLoader.class.getResource(resource);
        if (url == null || !url.getProtocol().equals("jar")) {
            return Optional.empty();
        }
        var connection = (JarURLConnection) url.openConnection();
        connection.setUseCaches(false);
        var entry = connection.getJarEntry();
        if (entry == null || entry.getCrc() < 0 || entry.getSize() < 0) {
            return Optional.empty();
        }
        // Under the driver's own file name, so that, should this copy not load, the driver still finds
        // its library in its jar and extracts it as usual.
        var versioned = folder.resolve(String.format(
                Locale.ROOT, "sqlite-jdbc-%s-%08x", org.sqlite.SQLiteJDBCLoader.getVersion(), entry.getCrc()));
        var kept = versioned.resolve(org.sqlite.util.LibraryLoaderUtil.getNativeLibName());
        if (Files.isDirectory(folder) && !ownedByUser(folder)) {
            return Optional.empty();
        }
        if (Files.isRegularFile(kept) && Files.size(kept) == entry.getSize() && crc(kept) == entry.getCrc()) {
            return Optional.of(kept);
        }
        createPrivately(folder);
        if (!ownedByUser(folder)) {
            return Optional.empty();
        }
        createPrivately(versioned);
        var partial = Files.createTempFile(versioned, "partial-", ".tmp");
        try {
            try (var jar = connection.getJarFile();
                    var in = jar.getInputStream(entry)) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            if (Files.size(partial) != entry.getSize() || crc(partial) != entry.getCrc()) {
                return Optional.empty();
            }
            Files.move(partial, kept, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return Optional.of(kept);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static void createPrivately(Path folder) throws IOException {
        if (Files.isDirectory(folder)) {
            return;
        }
        Files.createDirectories(folder.getParent());
        try {
            Files.createDirectory(
                    folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(folder);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // another process made it first
        }
    }

    /** Whether {@code folder} belongs to the user running aios (not one another user made for it). */
    private static boolean ownedByUser(Path folder) throws IOException {
        return Files.getOwner(folder).getName().equals(System.getProperty("user.name"));
    }

    private static long crc(Path file) throws IOException {
        var crc = new CRC32();
        crc.update(Files.readAllBytes(file));
        return crc.getValue();
    }
}
