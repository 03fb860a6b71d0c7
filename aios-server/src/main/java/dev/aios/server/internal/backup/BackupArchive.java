package dev.aios.server.internal.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.Admin;
import dev.aios.kernel.StorageException;
import dev.aios.server.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
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
 * <p>The master key (which wraps the keys of every subject's payloads and the stored secrets) is
 * in the archive when the data directory holds it as {@code master.key} and the backup is not
 * asked to leave it out; then the archive alone restores everything, and is as secret as the data
 * directory itself (it is written readable by its owner only). When aios takes its key from {@code
 * AIOS_MASTER_KEY}, or the backup leaves the key out, the manifest says the key is kept
 * separately, and a restore asks for it.
 *
 * <p>Restoring checks every checksum before anything is written, writes only into an empty
 * directory, and checks that the master key opens the restored keys; when it does not, it removes
 * what it wrote.
 */
public final class BackupArchive {
    /** The manifest's name inside the archive. */
    public static final String MANIFEST = "manifest.json";

    /** Where the master key file goes inside the archive, when it goes in. */
    public static final String MASTER_KEY = "data/" + Admin.MASTER_KEY_FILE;

    /** Where the settings file goes inside the archive. */
    public static final String SETTINGS = "settings/aios.yaml";

    /** Files and directories of a data directory that a backup leaves out. */
    private static final Set<String> LEFT_OUT = Set.of("aios.lock", "memory-index");

    /** Where the master key of a backup is. */
    public enum KeyPlace {
        /** In the archive, as {@code data/master.key}. */
        INCLUDED("included"),
        /** Not in the archive: in {@code AIOS_MASTER_KEY}, or kept apart by the operator. */
        SEPARATE("separate");

        private final String wire;

        KeyPlace(String wire) {
            this.wire = wire;
        }

        /** The name in the manifest. */
        public String wire() {
            return wire;
        }
    }

    /**
     * Where a restore finds the master key when the archive does not hold it.
     *
     * @param file a file holding the key in base64 (as {@code master.key} does), copied into the
     *     restored directory
     * @param variable the value of {@code AIOS_MASTER_KEY}, which aios must then be started with
     */
    public record KeySource(Optional<Path> file, Optional<String> variable) {
        /** No key given. */
        public static KeySource none() {
            return new KeySource(Optional.empty(), Optional.empty());
        }
    }

    /** What a backup or a restore did, and where the master key is. */
    public record Report(Path archive, Instant createdAt, List<Entry> files, KeyPlace masterKey) {
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
     * Backs up {@code dataDirectory} (and {@code settings}, if given) into {@code archive}, with the
     * master key file unless {@code withMasterKey} is false.
     *
     * @throws BackupException when the archive exists already or cannot be written
     */
    public static Report create(
            Path dataDirectory,
            Optional<Path> settings,
            Path archive,
            boolean withMasterKey,
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
                var name = dataDirectory.relativize(file).toString().replace('\\', '/');
                if (withMasterKey || !name.equals(Admin.MASTER_KEY_FILE)) {
                    files.put("data/" + name, file);
                }
            }
            var masterKey = files.containsKey(MASTER_KEY) ? KeyPlace.INCLUDED : KeyPlace.SEPARATE;
            settings.ifPresent(file -> files.put(SETTINGS, file));
            var created = clock.instant();
            var entries = new ArrayList<Entry>();
            for (var file : files.entrySet()) {
                entries.add(new Entry(file.getKey(), Files.size(file.getValue()), sha256(file.getValue())));
            }
            long total = entries.stream().mapToLong(Entry::size).sum();
            var partial = privateFile(work.resolve("archive.zip"));
            try (var zip = new ZipOutputStream(Files.newOutputStream(partial))) {
                zip.putNextEntry(new ZipEntry(MANIFEST));
                zip.write(Json.mapper()
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsBytes(manifest(version, created, entries, masterKey)));
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
            return new Report(archive, created, entries, masterKey);
        } catch (IOException e) {
            throw new BackupException("cannot write the backup " + archive + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    /**
     * Restores {@code archive} into {@code dataDirectory}, which must be empty or missing; the
     * settings file, if the archive has one, goes to {@code dataDirectory/aios.yaml.restored}. The
     * master key comes from the archive, or from {@code key} when the archive does not hold it;
     * {@code key}'s variable, when given, is what aios will use (as at start), so it is the one
     * checked.
     *
     * @throws BackupException when the directory is not empty, the archive is damaged, or there is
     *     no master key that opens the restored keys (nothing is left behind then)
     */
    public static Report restore(Path archive, Path dataDirectory, KeySource key, Progress progress) {
        if (!Files.isRegularFile(archive)) {
            throw new BackupException("no backup at " + archive);
        }
        boolean existed = Files.isDirectory(dataDirectory);
        try {
            if (existed) {
                try (var listing = Files.list(dataDirectory)) {
                    if (listing.findAny().isPresent()) {
                        throw new BackupException(dataDirectory
                                + " is not empty; restore into a new, empty directory (nothing was changed)");
                    }
                }
            }
            try (var zip = new ZipFile(archive.toFile())) {
                var manifest = manifest(archive, zip);
                var entries = new ArrayList<Entry>();
                for (var file : manifest.path("files")) {
                    entries.add(new Entry(
                            file.path("name").asText(),
                            file.path("size").asLong(),
                            file.path("sha256").asText()));
                }
                check(archive, zip, entries);
                var masterKey = entries.stream().anyMatch(entry -> entry.name().equals(MASTER_KEY))
                        ? KeyPlace.INCLUDED
                        : KeyPlace.SEPARATE;
                checkKeyGiven(masterKey, key);
                long total = entries.stream().mapToLong(Entry::size).sum();
                long done = 0;
                privateDirectory(dataDirectory);
                try {
                    for (var entry : entries) {
                        Path target = entry.name().equals(SETTINGS)
                                ? dataDirectory.resolve("aios.yaml.restored")
                                : dataDirectory.resolve(entry.name().substring("data/".length()));
                        privateDirectory(target.getParent());
                        try (var in = zip.getInputStream(zip.getEntry(entry.name()))) {
                            Files.copy(in, privateFile(target), StandardCopyOption.REPLACE_EXISTING);
                        }
                        done += entry.size();
                        progress.advanced(done, total);
                    }
                    if (key.file().isPresent()) {
                        Files.copy(
                                key.file().get(),
                                privateFile(dataDirectory.resolve(Admin.MASTER_KEY_FILE)),
                                StandardCopyOption.REPLACE_EXISTING);
                    }
                    Admin.checkMasterKey(dataDirectory, key.variable());
                } catch (StorageException e) {
                    deleteQuietly(dataDirectory, existed);
                    throw keyRefused(e, masterKey, key);
                } catch (IOException | RuntimeException e) {
                    // Nothing half-restored is left for aios to start on.
                    deleteQuietly(dataDirectory, existed);
                    throw e;
                }
                return new Report(
                        archive, Instant.parse(manifest.path("createdAt").asText()), entries, masterKey);
            }
        } catch (IOException e) {
            throw new BackupException(
                    "cannot restore " + archive + " into " + dataDirectory + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode manifest(Path archive, ZipFile zip) throws IOException {
        var manifestEntry = zip.getEntry(MANIFEST);
        if (manifestEntry == null) {
            throw new BackupException(archive + " is not an aios backup: it has no " + MANIFEST);
        }
        try (var in = zip.getInputStream(manifestEntry)) {
            return Json.mapper().readTree(in);
        }
    }

    /** Checks every file against its checksum before anything is written. */
    private static void check(Path archive, ZipFile zip, List<Entry> entries) throws IOException {
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
    }

    private static void checkKeyGiven(KeyPlace masterKey, KeySource key) {
        if (masterKey == KeyPlace.INCLUDED && key.file().isPresent()) {
            throw new BackupException(
                    "this backup holds its own master key; leave out --master-key" + " (nothing was restored)");
        }
        if (masterKey == KeyPlace.SEPARATE
                && key.file().isEmpty()
                && key.variable().filter(value -> !value.isBlank()).isEmpty()) {
            throw new BackupException("this backup does not hold the master key (it was made with "
                    + Admin.MASTER_KEY_VARIABLE + " set, or with --without-master-key), and without that key"
                    + " no subject's payloads and no stored secret can be read. Pass --master-key FILE (the key"
                    + " in base64, as in master.key) or set " + Admin.MASTER_KEY_VARIABLE
                    + " to the key aios ran with; nothing was restored");
        }
    }

    private static BackupException keyRefused(StorageException wrongKey, KeyPlace masterKey, KeySource key) {
        var hint = masterKey == KeyPlace.INCLUDED && key.variable().isPresent()
                ? "; the backup holds its own master key: unset " + Admin.MASTER_KEY_VARIABLE + " to use it"
                : "";
        return new BackupException(
                "cannot restore: " + wrongKey.getMessage() + hint + "; nothing was restored", wrongKey);
    }

    private static boolean safe(String name) {
        return (name.startsWith("data/") || name.equals(SETTINGS)) && !name.contains("..") && !name.startsWith("/");
    }

    private static ObjectNode manifest(String version, Instant created, List<Entry> entries, KeyPlace masterKey) {
        var manifest = Json.mapper().createObjectNode();
        manifest.put("format", 1);
        manifest.put("aios", version);
        manifest.put("createdAt", created.toString());
        manifest.put("masterKey", masterKey.wire());
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
        deleteQuietly(directory, false);
    }

    /** Deletes {@code directory}'s contents, and the directory itself unless {@code keep}. */
    private static void deleteQuietly(Path directory, boolean keep) {
        try (var walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder())
                    .filter(path -> !keep || !path.equals(directory))
                    .forEach(path -> {
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

    private static final boolean POSIX =
            java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /** Creates {@code file} readable and writable by its owner only (where permissions exist). */
    private static Path privateFile(Path file) throws IOException {
        Files.deleteIfExists(file);
        if (POSIX) {
            return Files.createFile(
                    file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        return Files.createFile(file);
    }

    /** Creates {@code directory} (and its parents) open to its owner only (where permissions exist). */
    private static void privateDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Files.createDirectories(directory);
        if (POSIX) {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
