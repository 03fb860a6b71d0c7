package dev.aios.server.internal.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.Admin;
import dev.aios.server.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * One backup of a data directory as a zip archive: {@code manifest.json} first (what aios wrote it,
 * when, and every file with its size and SHA-256), then the files. The database is a consistent
 * snapshot taken while aios may be running; every other file of the data directory (such as key
 * files) is copied as it is, except the lock, SQLite's own side files and the memory index, which
 * aios rebuilds from the database. The settings file is added when one is named.
 *
 * <p>Restoring checks every checksum before anything is written, and writes only into an empty
 * directory.
 */
public final class BackupArchive {
    /** The manifest's name inside the archive. */
    public static final String MANIFEST = "manifest.json";

    /** Where the settings file goes inside the archive. */
    public static final String SETTINGS = "settings/aios.yaml";

    /** Files and directories of a data directory that a backup leaves out. */
    private static final Set<String> LEFT_OUT = Set.of("aios.lock", "memory-index");

    /** What a backup or a restore did. */
    public record Report(Path archive, Instant createdAt, List<Entry> files) {
        /** Bytes in all files. */
        public long bytes() {
            return files.stream().mapToLong(Entry::size).sum();
        }
    }

    /** One file of an archive. */
    public record Entry(String name, long size, String sha256) {}

    /** Progress: called after each file with how many bytes are done of how many. */
    @FunctionalInterface
    public interface Progress {
        void advanced(long done, long total);
    }

    private BackupArchive() {}

    /**
     * Backs up {@code dataDirectory} (and {@code settings}, if given) into {@code archive}.
     *
     * @throws BackupException when the archive exists already or cannot be written
     */
    public static Report create(
            Path dataDirectory,
            Optional<Path> settings,
            Path archive,
            String version,
            InstantSource clock,
            Progress progress) {
        if (Files.exists(archive)) {
            throw new BackupException(archive + " exists already; name a new file (backups are never overwritten)");
        }
        Path work;
        try {
            var parent = archive.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            work = Files.createTempDirectory(parent, ".aios-backup-");
        } catch (IOException e) {
            throw new BackupException("cannot write next to " + archive + ": " + e.getMessage(), e);
        }
        try {
            var files = new LinkedHashMap<String, Path>();
            var database = work.resolve(Admin.databaseFile());
            Admin.snapshotDatabase(dataDirectory, database);
            files.put("data/" + Admin.databaseFile(), database);
            for (var file : dataFiles(dataDirectory)) {
                files.put("data/" + dataDirectory.relativize(file).toString().replace('\\', '/'), file);
            }
            settings.ifPresent(file -> files.put(SETTINGS, file));
            var created = clock.instant();
            var entries = new ArrayList<Entry>();
            for (var file : files.entrySet()) {
                entries.add(new Entry(file.getKey(), Files.size(file.getValue()), sha256(file.getValue())));
            }
            long total = entries.stream().mapToLong(Entry::size).sum();
            var partial = work.resolve("archive.zip");
            try (var zip = new ZipOutputStream(Files.newOutputStream(partial))) {
                zip.putNextEntry(new ZipEntry(MANIFEST));
                zip.write(Json.mapper()
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsBytes(manifest(version, created, entries)));
                zip.closeEntry();
                long done = 0;
                for (var file : files.entrySet()) {
                    zip.putNextEntry(new ZipEntry(file.getKey()));
                    Files.copy(file.getValue(), zip);
                    zip.closeEntry();
                    done += Files.size(file.getValue());
                    progress.advanced(done, total);
                }
            }
            // The archive appears whole or not at all.
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
            return new Report(archive, created, entries);
        } catch (IOException e) {
            throw new BackupException("cannot write the backup " + archive + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    /**
     * Restores {@code archive} into {@code dataDirectory}, which must be empty or missing; the
     * settings file, if the archive has one, goes to {@code dataDirectory/aios.yaml.restored}.
     *
     * @throws BackupException when the directory is not empty, or the archive is damaged (nothing is
     *     written then)
     */
    public static Report restore(Path archive, Path dataDirectory, Progress progress) {
        if (!Files.isRegularFile(archive)) {
            throw new BackupException("no backup at " + archive);
        }
        try {
            if (Files.isDirectory(dataDirectory)) {
                try (var listing = Files.list(dataDirectory)) {
                    if (listing.findAny().isPresent()) {
                        throw new BackupException(dataDirectory
                                + " is not empty; restore into a new, empty directory (nothing was changed)");
                    }
                }
            }
            try (var zip = new ZipFile(archive.toFile())) {
                var manifestEntry = zip.getEntry(MANIFEST);
                if (manifestEntry == null) {
                    throw new BackupException(archive + " is not an aios backup: it has no " + MANIFEST);
                }
                JsonNode manifest;
                try (var in = zip.getInputStream(manifestEntry)) {
                    manifest = Json.mapper().readTree(in);
                }
                var entries = new ArrayList<Entry>();
                for (var file : manifest.path("files")) {
                    entries.add(new Entry(
                            file.path("name").asText(),
                            file.path("size").asLong(),
                            file.path("sha256").asText()));
                }
                // Every file is checked before anything is written.
                for (var entry : entries) {
                    var zipped = zip.getEntry(entry.name());
                    if (zipped == null || !safe(entry.name())) {
                        throw new BackupException(
                                archive + " is damaged: " + entry.name() + " is missing; nothing was restored");
                    }
                    try (var in = zip.getInputStream(zipped)) {
                        if (!sha256(in).equals(entry.sha256())) {
                            throw new BackupException(archive + " is damaged: " + entry.name()
                                    + " does not match its checksum; nothing was restored");
                        }
                    }
                }
                long total = entries.stream().mapToLong(Entry::size).sum();
                long done = 0;
                Files.createDirectories(dataDirectory);
                for (var entry : entries) {
                    Path target = entry.name().equals(SETTINGS)
                            ? dataDirectory.resolve("aios.yaml.restored")
                            : dataDirectory.resolve(entry.name().substring("data/".length()));
                    Files.createDirectories(target.getParent());
                    try (var in = zip.getInputStream(zip.getEntry(entry.name()))) {
                        Files.copy(in, target);
                    }
                    done += entry.size();
                    progress.advanced(done, total);
                }
                return new Report(
                        archive, Instant.parse(manifest.path("createdAt").asText()), entries);
            }
        } catch (IOException e) {
            throw new BackupException(
                    "cannot restore " + archive + " into " + dataDirectory + ": " + e.getMessage(), e);
        }
    }

    private static boolean safe(String name) {
        return (name.startsWith("data/") || name.equals(SETTINGS)) && !name.contains("..") && !name.startsWith("/");
    }

    private static ObjectNode manifest(String version, Instant created, List<Entry> entries) {
        var manifest = Json.mapper().createObjectNode();
        manifest.put("format", 1);
        manifest.put("aios", version);
        manifest.put("createdAt", created.toString());
        var files = manifest.putArray("files");
        for (var entry : entries) {
            files.addObject()
                    .put("name", entry.name())
                    .put("size", entry.size())
                    .put("sha256", entry.sha256());
        }
        return manifest;
    }

    private static List<Path> dataFiles(Path dataDirectory) throws IOException {
        var database = Admin.databaseFile();
        try (var walk = Files.walk(dataDirectory)) {
            return walk.filter(Files::isRegularFile)
                    .filter(file -> {
                        var top = dataDirectory.relativize(file).getName(0).toString();
                        return !LEFT_OUT.contains(top) && !top.equals(database) && !top.startsWith(database + "-");
                    })
                    .sorted()
                    .toList();
        }
    }

    private static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    private static String sha256(InputStream in) throws IOException {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            try (var digesting = new DigestInputStream(in, digest)) {
                digesting.transferTo(OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path directory) {
        try (var walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
