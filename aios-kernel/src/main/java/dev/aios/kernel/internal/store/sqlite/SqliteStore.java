package dev.aios.kernel.internal.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.aios.kernel.StorageException;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.PrivateFiles;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.jdbc.CurrentSchema;
import dev.aios.kernel.internal.store.jdbc.JdbcHandle;
import dev.aios.kernel.internal.store.jdbc.KeptLeases;
import dev.aios.kernel.internal.store.jdbc.LogSyncer;
import dev.aios.kernel.internal.store.jdbc.Migrations;
import dev.aios.kernel.internal.store.jdbc.Statements;
import dev.aios.kernel.internal.store.jdbc.Writer;
import dev.aios.kernel.internal.store.jdbc.WriterBackedStore;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;

/**
 * The embedded store: one SQLite file in the data directory, in WAL mode, every commit durable
 * before anyone hears of it (the writer syncs the log itself, see {@link WalLog}), one
 * writer thread with group commit and a small pool of read-only connections. It owns the
 * directory (an OS file lock), so it is the only writer: it keeps the states of the runs it works
 * on in memory and numbers feed positions itself.
 */
public final class SqliteStore extends WriterBackedStore {

    /** The file name of the database inside a data directory. */
    public static final String FILE = "aios.db";

    private final Path file;
    private final DataDirectoryLock lock;
    private final Writer writer;
    /** The log the writer syncs; null for a scratch database, which syncs nothing. */
    private final WalLog log;
    /** Where checkpoints run; null for a scratch database (SQLite's own, on the writer). */
    private Checkpoints checkpoints;

    private final HikariDataSource reads;
    /** The statements kept for each of the read connections, see {@link #statementsOf}. */
    private final Map<SQLiteConnection, Statements> readStatements = new ConcurrentHashMap<>();

    private final Optional<Path> scratchDirectory;
    private final SqliteStorage extensions;
    /** The last feed position given out; advanced on the writer's thread only. */
    final AtomicLong position = new AtomicLong();

    /**
     * The states of runs the writer worked on lately, so that a step does not parse its run's state
     * again on every write. Touched only on the writer's thread; a unit that rolls back drops what
     * it may have changed.
     */
    final Map<String, RunState> live = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RunState> eldest) {
            return size() > 10_000;
        }
    };

    /** The leases the writer granted, so that a step's lease check reads no row. */
    final KeptLeases leases = new KeptLeases();

    private List<String> migrated = List.of();

    static {
        NativeLibrary.prepare();
    }

    private SqliteStore(Path directory, boolean durable, Optional<Path> scratchDirectory) {
        this(directory, durable, scratchDirectory, wal -> wal::sync);
    }

    private SqliteStore(
            Path directory,
            boolean durable,
            Optional<Path> scratchDirectory,
            java.util.function.Function<WalLog, LogSyncer.Sync> syncing) {
        this.lock = DataDirectoryLock.acquire(directory);
        this.scratchDirectory = scratchDirectory;
        Path file = directory.resolve(FILE).toAbsolutePath();
        this.file = file;
        PrivateFiles.file(file);
        PrivateFiles.existing(Path.of(file + "-wal"));
        PrivateFiles.existing(Path.of(file + "-shm"));
        Writer writer = null;
        HikariDataSource reads = null;
        try {
            this.migrated = migrate(
                    dataSource(file, false, durable ? Sync.FULL : Sync.OFF),
                    "classpath:db/migration",
                    "flyway_schema_history");
            // Durable: the writer commits with synchronous NORMAL and syncs the log itself, so that the
            // next batch runs while the last one's log goes to disk; no one hears of a batch before.
            log = durable ? new WalLog(Path.of(file + "-wal")) : null;
            writer = new Writer(
                    dataSource(file, false, durable ? Sync.LOGGED : Sync.OFF).getConnection(),
                    Handle.Dialect.SQLITE,
                    file.toString(),
                    512,
                    handle -> new SqliteTx(this, handle, true),
                    SqliteStore::checkpoint,
                    Optional.ofNullable(log).map(syncing));
            if (durable) {
                // Checkpoints leave the writer while its batches are large (see Checkpoints).
                checkpoints = new Checkpoints(
                        () -> dataSource(file, false, Sync.LOGGED).getConnection(), Checkpoints.PASSIVE);
                writer.between(checkpoints);
            }
            var pool = new HikariConfig();
            pool.setDataSource(dataSource(file, true, durable ? Sync.FULL : Sync.OFF));
            pool.setMaximumPoolSize(6);
            pool.setPoolName("aios-reads");
            pool.setAutoCommit(true);
            pool.setReadOnly(true);
            reads = new HikariDataSource(pool);
            this.writer = writer;
            this.reads = reads;
            this.extensions = new SqliteStorage(this);
            position.set(read(tx -> ((SqliteTx) tx).handle().count("SELECT COALESCE(MAX(pos), 0) FROM journal")));
        } catch (SQLException | RuntimeException e) {
            if (writer != null) {
                writer.close();
            }
            if (checkpoints != null) {
                checkpoints.close();
            }
            if (reads != null) {
                reads.close();
            }
            lock.close();
            if (e instanceof RuntimeException r && !(e instanceof FlywayException)) {
                throw r;
            }
            throw new StorageException("cannot open the database in " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Where checkpoints run, for tests; null for a scratch database. */
    Checkpoints checkpoints() {
        return checkpoints;
    }

    /** Locks {@code directory}, creates or migrates its database, and opens it. */
    public static SqliteStore open(Path directory) {
        return new SqliteStore(directory, true, Optional.empty());
    }

    /** Opens the database in {@code directory} with its log synced by what {@code syncing} makes of it. */
    static SqliteStore open(Path directory, java.util.function.Function<WalLog, LogSyncer.Sync> syncing) {
        return new SqliteStore(directory, true, Optional.empty(), syncing);
    }

    /**
     * Writes a consistent copy of the database in {@code directory} to {@code target}, a new file,
     * also while a kernel holds the directory: {@code VACUUM INTO} reads one committed moment, so
     * everything acknowledged before the copy began is in it, and nothing half-written is.
     *
     * @throws StorageException when the database cannot be read or {@code target} cannot be written
     */
    public static void snapshot(Path directory, Path target) {
        Path file = directory.resolve(FILE).toAbsolutePath();
        try (var connection = dataSource(file, true, Sync.FULL).getConnection();
                var statement = connection.prepareStatement("VACUUM INTO ?")) {
            statement.setString(1, target.toAbsolutePath().toString());
            statement.execute();
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot copy the database " + file + " to " + target + ": " + e.getMessage()
                            + "; check that the target's directory exists and has free space",
                    e);
        }
    }

    /** Whether {@code directory} holds a database. */
    public static boolean exists(Path directory) {
        return Files.isRegularFile(directory.resolve(FILE));
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    @Override
    protected Writer writer() {
        return writer;
    }

    @Override
    public <T> T write(Unit<T> unit) {
        return writer.write(unit);
    }

    @Override
    public <T> CompletableFuture<T> submit(Unit<T> unit) {
        return writer.submit(unit);
    }

    @Override
    public <T> T read(Unit<T> unit) {
        try (Connection c = reads.getConnection()) {
            c.setAutoCommit(false);
            try {
                // Statements are prepared on the pool's connection itself, which keeps them for reuse
                // (the pool would close them when the connection goes back).
                var connection = c.unwrap(SQLiteConnection.class);
                return unit.run(new SqliteTx(
                        this,
                        new JdbcHandle(connection, statementsOf(connection), Handle.Dialect.SQLITE, location()),
                        false));
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StorageException("cannot read the database at " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * The statements kept for a read connection: preparing the same SQL again on every read was a
     * good part of a short read (a memory recall's). A connection serves one read at a time; those of
     * connections the pool has closed are dropped as a new connection comes.
     */
    private Statements statementsOf(SQLiteConnection connection) {
        var kept = readStatements.get(connection);
        if (kept != null) {
            return kept;
        }
        readStatements.keySet().removeIf(SqliteStore::isClosed);
        return readStatements.computeIfAbsent(connection, c -> new Statements());
    }

    private static boolean isClosed(SQLiteConnection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    @Override
    public void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        reads.setMetricRegistry(registry);
    }

    @Override
    public void onCommitElsewhere(Runnable action) {
        // The only writer of its file: no one else commits.
    }

    @Override
    public Storage extensions() {
        return extensions;
    }

    @Override
    public Store scratch() {
        try {
            var directory = Files.createTempDirectory("aios-scratch");
            return new SqliteStore(directory, false, Optional.of(directory));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch database: " + e.getMessage(), e);
        }
    }

    @Override
    public String location() {
        return file.toString();
    }

    @Override
    public void close() {
        try {
            writer.close();
            if (checkpoints != null) {
                checkpoints.close();
            }
            if (log != null) {
                log.close();
            }
            reads.close();
        } finally {
            lock.close();
            scratchDirectory.ifPresent(SqliteStore::deleteQuietly);
        }
    }

    /** Migrates the tables kept apart by {@code table} with the Flyway migrations at {@code location}. */
    List<String> migrate(String location, String table) {
        return migrate(dataSource(file, false, Sync.FULL), location, table);
    }

    private static List<String> migrate(SQLiteDataSource dataSource, String location, String table) {
        var baseline = Baseline.of(location);
        try (var connection = dataSource.getConnection()) {
            if (!Baseline.hasHistory(connection, table)) {
                if (baseline.isPresent()) {
                    // A module new to this database gets its tables in one step rather than migration by migration.
                    return baseline.get().apply(connection, table);
                }
            } else if (CurrentSchema.current(connection, location, "\"" + table + "\"")) {
                // Every migration is there as its file is now: nothing for Flyway to apply or refuse.
                return List.of();
            }
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot create the tables of " + location + " in " + dataSource.getUrl() + ": " + e.getMessage(),
                    e);
        }
        return Migrations.applied(Flyway.configure()
                .dataSource(dataSource)
                .locations(location)
                .table(table)
                .baselineOnMigrate(!table.equals("flyway_schema_history"))
                .baselineVersion("0")
                .load()
                .migrate());
    }

    @Override
    public List<String> migrated() {
        return migrated;
    }

    /** Copies the write-ahead log into the database and empties it; false while readers still use it. */
    private static boolean checkpoint(Connection connection) throws SQLException {
        try (var st = connection.createStatement();
                var result = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            return result.next() && result.getInt(1) == 0;
        }
    }

    /** How a connection's commits reach the disk. */
    private enum Sync {
        /** Each commit syncs the log before it returns. */
        FULL(SQLiteConfig.SynchronousMode.FULL),
        /** Commits do not sync the log; the writer syncs it itself ({@link WalLog}) before telling anyone. */
        LOGGED(SQLiteConfig.SynchronousMode.NORMAL),
        /** Nothing is synced: a scratch database. */
        OFF(SQLiteConfig.SynchronousMode.OFF);

        final SQLiteConfig.SynchronousMode mode;

        Sync(SQLiteConfig.SynchronousMode mode) {
            this.mode = mode;
        }
    }

    /**
     * The write-ahead log file, synced by the writer after commits made with synchronous NORMAL: one
     * fdatasync of the file, as SQLite's own commit with synchronous FULL does, covers every commit
     * written to it before. Opened at the first sync (the log exists once something was committed) and
     * kept: SQLite keeps the same file while any connection is open, truncating it at checkpoints.
     */
    static final class WalLog implements AutoCloseable {
        private final Path path;
        private FileChannel channel;

        WalLog(Path path) {
            this.path = path;
        }

        synchronized void sync() throws IOException {
            if (channel == null) {
                channel = FileChannel.open(path, StandardOpenOption.WRITE);
            }
            channel.force(false);
        }

        @Override
        public synchronized void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // nothing was written through it
                }
                channel = null;
            }
        }
    }

    /** A data source for {@code file} with the store's settings. */
    private static SQLiteDataSource dataSource(Path file, boolean readOnly, Sync sync) {
        var config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(sync.mode);
        config.setBusyTimeout(10_000);
        config.setReadOnly(readOnly);
        // Generated keys are asked for where needed (JdbcHandle.insert), not after every statement.
        config.setGetGeneratedKeys(false);
        // Deleted and overwritten content is zeroed, so a forgotten subject leaves nothing in free pages.
        config.setPragma(SQLiteConfig.Pragma.SECURE_DELETE, "true");
        var ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + file);
        return ds;
    }

    private static void deleteQuietly(Path directory) {
        try (var files = Files.walk(directory)) {
            for (var path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a scratch directory in the temp directory; the system cleans it up eventually
        }
    }
}
