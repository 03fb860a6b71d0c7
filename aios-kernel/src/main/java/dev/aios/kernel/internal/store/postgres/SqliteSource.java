package dev.aios.kernel.internal.store.postgres;

import dev.aios.kernel.ConflictException;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.StorageException;
import dev.aios.kernel.internal.store.sqlite.DataDirectoryLock;
import dev.aios.kernel.internal.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationState;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * A stopped SQLite installation opened to be copied: its data directory locked (so no aios starts
 * on it meanwhile), its database read in one read transaction, after checking that every module's
 * tables are exactly at the version this aios has.
 */
final class SqliteSource implements AutoCloseable {
    private static final String KERNEL_HISTORY = "flyway_schema_history";

    private final Path directory;
    private final DataDirectoryLock lock;
    private final Connection connection;

    private SqliteSource(Path directory, DataDirectoryLock lock, Connection connection) {
        this.directory = directory;
        this.lock = lock;
        this.connection = connection;
    }

    /**
     * Opens the installation in {@code directory} for reading, after checking it is one, that no
     * aios runs on it and that its tables (the kernel's and those of {@code extensions}, module name
     * to Flyway location) are at this aios's version. Changes nothing in the directory but its lock
     * file.
     *
     * @throws NotFoundException when the directory is not an aios data directory
     * @throws ConflictException while an aios process runs on it
     * @throws StorageException when its tables are older or newer than this aios's
     */
    static SqliteSource open(Path directory, Map<String, String> extensions) {
        if (!Files.isDirectory(directory) || !SqliteStore.exists(directory)) {
            throw notAnInstallation(directory, "it holds no " + SqliteStore.FILE);
        }
        // Checked before locking, so that a directory that is not aios's gets no lock file.
        try (var probe = dataSource(directory).getConnection()) {
            if (!tables(probe).contains(KERNEL_HISTORY)) {
                throw notAnInstallation(directory, SqliteStore.FILE + " holds no aios tables");
            }
        } catch (SQLException e) {
            throw notAnInstallation(directory, SqliteStore.FILE + " is not an aios database (" + e.getMessage() + ")");
        }
        var lock = DataDirectoryLock.acquire(directory);
        try {
            var connection = dataSource(directory).getConnection();
            var source = new SqliteSource(directory, lock, connection);
            try {
                source.checkVersion("kernel", "classpath:db/migration", KERNEL_HISTORY);
                extensions.forEach((module, location) -> source.checkVersion(module, location, "flyway_" + module));
                connection.setAutoCommit(false);
                return source;
            } catch (RuntimeException e) {
                connection.close();
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            lock.close();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new StorageException("cannot read " + directory.resolve(SqliteStore.FILE) + ": " + e.getMessage(), e);
        }
    }

    /** Whether the installation has tables of {@code module} at all (a module it never ran with has none). */
    boolean has(String module) {
        return allTables().contains("flyway_" + module);
    }

    /** Its tables holding data, without SQLite's and Flyway's own. */
    List<String> tables() {
        return allTables().stream()
                .filter(name -> !name.startsWith("sqlite_") && !name.startsWith("flyway_"))
                .toList();
    }

    /** The columns of {@code table}, in order. */
    List<String> columns(String table) {
        var columns = new ArrayList<String>();
        try (var st = connection.createStatement();
                var rs = st.executeQuery("PRAGMA table_info(\"" + table + "\")")) {
            while (rs.next()) {
                columns.add(rs.getString("name"));
            }
        } catch (SQLException e) {
            throw failed(e);
        }
        return columns;
    }

    /** Whether {@code table} has SQLite's implicit {@code rowid} (it was not created WITHOUT ROWID). */
    boolean hasRowid(String table) {
        try (var st = connection.createStatement();
                var rs = st.executeQuery(
                        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'")) {
            return rs.next()
                    && !rs.getString(1).toUpperCase(java.util.Locale.ROOT).contains("WITHOUT ROWID");
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** How many rows {@code table} holds. */
    long count(String table) {
        try (var st = connection.createStatement();
                var rs = st.executeQuery("SELECT COUNT(*) FROM \"" + table + "\"")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** The highest number each AUTOINCREMENT table ever gave out, by table (numbers are never given twice). */
    Map<String, Long> assigned() {
        var assigned = new HashMap<String, Long>();
        if (!allTables().contains("sqlite_sequence")) {
            return assigned;
        }
        try (var st = connection.createStatement();
                var rs = st.executeQuery("SELECT name, seq FROM sqlite_sequence")) {
            while (rs.next()) {
                assigned.put(rs.getString(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw failed(e);
        }
        return assigned;
    }

    /** Reads {@code select} (a query on this database), handing each row to {@code row}. */
    void read(String select, RowConsumer row) {
        try (var st = connection.createStatement()) {
            st.setFetchSize(1_000);
            try (var rs = st.executeQuery(select)) {
                while (rs.next()) {
                    row.accept(rs);
                }
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Takes one row of a query. */
    @FunctionalInterface
    interface RowConsumer {
        void accept(ResultSet row) throws SQLException;
    }

    /** The database file. */
    String location() {
        return directory.resolve(SqliteStore.FILE).toString();
    }

    @Override
    public void close() {
        try {
            connection.rollback();
            connection.close();
        } catch (SQLException e) {
            // read only: nothing to lose
        } finally {
            lock.close();
        }
    }

    private void checkVersion(String module, String location, String history) {
        boolean kernel = history.equals(KERNEL_HISTORY);
        if (!kernel && !allTables().contains(history)) {
            return; // the installation never ran with this module: it has no tables of it to copy
        }
        var migrations = Flyway.configure()
                .dataSource(dataSource(directory))
                .locations(location)
                .table(history)
                .load()
                .info()
                .all();
        var pending = new ArrayList<String>();
        var newer = new ArrayList<String>();
        for (var migration : migrations) {
            if (migration.getVersion() == null) {
                continue;
            }
            if (migration.getState() == MigrationState.PENDING) {
                pending.add("V" + migration.getVersion());
            } else if (migration.getState() == MigrationState.FUTURE_SUCCESS
                    || migration.getState() == MigrationState.FUTURE_FAILED) {
                newer.add("V" + migration.getVersion());
            }
        }
        if (!pending.isEmpty()) {
            throw new StorageException(
                    "the tables of " + module + " in " + location() + " are older than this aios (it lacks "
                            + String.join(", ", pending) + "); bring them up to date first with 'aios admin migrate"
                            + " --data " + directory + "', then copy again",
                    null);
        }
        if (!newer.isEmpty()) {
            throw new StorageException(
                    "the tables of " + module + " in " + location() + " were written by a newer aios (migrations "
                            + String.join(", ", newer) + " are unknown here); copy them with that version of aios",
                    null);
        }
    }

    private static List<String> tables(Connection connection) throws SQLException {
        var names = new ArrayList<String>();
        try (var st = connection.createStatement();
                var rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private List<String> allTables() {
        try {
            return tables(connection);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private static SQLiteDataSource dataSource(Path directory) {
        var config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(10_000);
        var ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + directory.resolve(SqliteStore.FILE).toAbsolutePath());
        return ds;
    }

    private static NotFoundException notAnInstallation(Path directory, String why) {
        return new NotFoundException(directory + " is not an aios data directory: " + why
                + "; pass --from the --data directory aios ran with on SQLite");
    }

    private static StorageException failed(SQLException e) {
        return new StorageException("cannot read the SQLite installation: " + e.getMessage(), e);
    }
}
