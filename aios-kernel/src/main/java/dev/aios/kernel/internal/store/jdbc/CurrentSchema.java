package dev.aios.kernel.internal.store.jdbc;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Whether a database already holds every migration at a location, as Flyway would have applied
 * and validated them, found with one query on its history table instead of a Flyway run.
 *
 * <p>Starting Flyway to learn that nothing is pending (loading its classes, scanning the class path,
 * parsing and validating every migration) was a sixth of a start. This looks only at what it can be
 * sure of: the migration files at the location (versioned SQL only), and a history whose rows are a
 * successful baseline plus, for every file above the baseline's version, one successful row of the
 * same version, description, script and checksum (Flyway's: a CRC32 of the file's lines without
 * their line breaks), and nothing else. Anything else (a pending or changed migration, a failed or
 * unknown row, a file Flyway would read differently, a location it cannot list) answers "not known
 * to be current", and the caller runs Flyway, which migrates, or refuses the history, as before.
 */
public final class CurrentSchema {
    /** A versioned SQL migration's file name, as Flyway's defaults read it. */
    private static final Pattern VERSIONED = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__(.+)\\.sql");

    /** One migration file: its version as Flyway writes it, description, file name and checksum. */
    record Migration(String version, String description, String script, int checksum) {}

    private CurrentSchema() {}

    /**
     * Whether the history table {@code table} of {@code connection}'s database records every
     * migration at {@code location} ({@code classpath:…}), each as its file is now.
     *
     * @param table the history table, quoted as the database needs it
     */
    public static boolean current(Connection connection, String location, String table) throws SQLException {
        var migrations = migrations(location, CurrentSchema.class.getClassLoader());
        return migrations.isPresent() && matches(connection, table, migrations.get());
    }

    /** Whether the history in {@code table} holds exactly {@code migrations} above a baseline, or all of them. */
    static boolean matches(Connection connection, String table, List<Migration> migrations) throws SQLException {
        if (migrations.isEmpty()) {
            return false;
        }
        List<String> baseline = null;
        var applied = new HashMap<String, Migration>();
        try (var statement = connection.createStatement();
                var rows = statement.executeQuery(
                        "SELECT version, description, type, script, checksum, success FROM " + table)) {
            while (rows.next()) {
                String version = rows.getString(1);
                String type = rows.getString(3);
                int checksum = rows.getInt(5);
                boolean noChecksum = rows.wasNull();
                if (!rows.getBoolean(6) || version == null) {
                    return false;
                }
                if (type.equals("BASELINE") && baseline == null && applied.isEmpty()) {
                    baseline = parts(version);
                } else if (type.equals("SQL") && !noChecksum && !applied.containsKey(version)) {
                    applied.put(version, new Migration(version, rows.getString(2), rows.getString(4), checksum));
                } else {
                    return false;
                }
            }
        }
        if (baseline != null && compare(baseline, parts(migrations.getLast().version())) > 0) {
            return false;
        }
        int expected = 0;
        for (var migration : migrations) {
            if (baseline != null && compare(parts(migration.version()), baseline) <= 0) {
                continue;
            }
            if (!migration.equals(applied.get(migration.version()))) {
                return false;
            }
            expected++;
        }
        return expected == applied.size() && (expected > 0 || baseline != null);
    }

    /**
     * The versioned migrations at {@code location}, sorted by version; empty when the location is
     * not a class path one, cannot be listed, or holds anything but versioned SQL migrations.
     */
    static Optional<List<Migration>> migrations(String location, ClassLoader loader) {
        if (!location.startsWith("classpath:")) {
            return Optional.empty();
        }
        String folder = location.substring("classpath:".length());
        try {
            var files = new HashMap<String, byte[]>();
            var roots = Collections.list(loader.getResources(folder));
            if (roots.isEmpty()) {
                return Optional.empty();
            }
            for (var root : roots) {
                if (!list(root, folder, files)) {
                    return Optional.empty();
                }
            }
            var migrations = new ArrayList<Migration>();
            var versions = new HashMap<List<String>, String>();
            for (var file : files.entrySet()) {
                var name = file.getKey().substring(file.getKey().lastIndexOf('/') + 1);
                var matcher = VERSIONED.matcher(name);
                if (!matcher.matches()) {
                    return Optional.empty();
                }
                String version = matcher.group(1).replace('_', '.');
                if (versions.put(parts(version), name) != null) {
                    return Optional.empty();
                }
                migrations.add(new Migration(
                        version,
                        matcher.group(2).replace('_', ' '),
                        name,
                        checksum(new ByteArrayInputStream(file.getValue()))));
            }
            migrations.sort((a, b) -> compare(parts(a.version()), parts(b.version())));
            return Optional.of(List.copyOf(migrations));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the migrations at " + location + ": " + e.getMessage(), e);
        }
    }

    /** Adds the files under {@code root} (the folder {@code folder}), by path; false when it cannot list them. */
    private static boolean list(URL root, String folder, Map<String, byte[]> files) throws IOException {
        switch (root.getProtocol()) {
            case "file" -> {
                Path directory;
                try {
                    directory = Path.of(root.toURI());
                } catch (URISyntaxException e) {
                    return false;
                }
                try (Stream<Path> walk = Files.walk(directory)) {
                    for (var path : walk.filter(Files::isRegularFile).toList()) {
                        var relative = directory.relativize(path).toString().replace('\\', '/');
                        if (files.put(folder + "/" + relative, Files.readAllBytes(path)) != null) {
                            return false;
                        }
                    }
                }
                return true;
            }
            case "jar" -> {
                var connection = (JarURLConnection) root.openConnection();
                connection.setUseCaches(false);
                try (var jar = connection.getJarFile()) {
                    String prefix = folder + "/";
                    for (var entries = jar.entries(); entries.hasMoreElements(); ) {
                        var entry = entries.nextElement();
                        if (!entry.isDirectory() && entry.getName().startsWith(prefix)) {
                            byte[] content;
                            try (var in = jar.getInputStream(entry)) {
                                content = in.readAllBytes();
                            }
                            if (files.put(entry.getName(), content) != null) {
                                return false;
                            }
                        }
                    }
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** Flyway's checksum of a migration: a CRC32 of its UTF-8 lines, without line breaks or a leading BOM. */
    static int checksum(InputStream in) throws IOException {
        var crc = new CRC32();
        var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 4096);
        String line = reader.readLine();
        if (line != null) {
            if (!line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
            do {
                crc.update(line.getBytes(StandardCharsets.UTF_8));
            } while ((line = reader.readLine()) != null);
        }
        return (int) crc.getValue();
    }

    /** A version's numbers, without leading zeros, as Flyway compares them. */
    private static List<String> parts(String version) {
        var parts = new ArrayList<String>();
        for (var part : version.split("\\.")) {
            var trimmed = part.replaceFirst("^0+(?=.)", "");
            parts.add(trimmed);
        }
        while (parts.size() > 1 && parts.getLast().equals("0")) {
            parts.removeLast();
        }
        return parts;
    }

    private static int compare(List<String> a, List<String> b) {
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            String x = i < a.size() ? a.get(i) : "0";
            String y = i < b.size() ? b.get(i) : "0";
            int c = x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
