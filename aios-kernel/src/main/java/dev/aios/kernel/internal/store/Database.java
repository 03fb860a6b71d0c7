package dev.aios.kernel.internal.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.aios.kernel.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The embedded SQLite database of a data directory: WAL, synchronous FULL, one writer with group
 * commit, and a small pool of read-only connections. Owns the directory's lock.
 */
public final class Database implements AutoCloseable {

    /** A read against a connection of the read pool. */
    @FunctionalInterface
    public interface Read<T> {
        T run(Tx tx) throws SQLException;
    }

    /** The file name of the database inside a data directory. */
    public static final String FILE = "aios.db";

    private final Path file;
    private final DataDirectoryLock lock;
    private final Writer writer;
    private final HikariDataSource reads;

    private Database(Path file, DataDirectoryLock lock, Writer writer, HikariDataSource reads) {
        this.file = file;
        this.lock = lock;
        this.writer = writer;
        this.reads = reads;
    }

    /** Locks {@code directory}, creates or migrates its database, and opens it. */
    public static Database open(Path directory) {
        var lock = DataDirectoryLock.acquire(directory);
        try {
            Path file = directory.resolve(FILE).toAbsolutePath();
            PrivateFiles.file(file);
            PrivateFiles.existing(Path.of(file + "-wal"));
            PrivateFiles.existing(Path.of(file + "-shm"));
            migrate(file);
            var writer = new Writer(connect(file, false), file.toString(), 512);
            var pool = new HikariConfig();
            pool.setDataSource(dataSource(file, true));
            pool.setMaximumPoolSize(6);
            pool.setPoolName("aios-reads");
            pool.setAutoCommit(true);
            pool.setReadOnly(true);
            return new Database(file, lock, writer, new HikariDataSource(pool));
        } catch (SQLException | RuntimeException e) {
            lock.close();
            if (e instanceof RuntimeException r && !(e instanceof org.flywaydb.core.api.FlywayException)) {
                throw r;
            }
            throw new StorageException("cannot open the database in " + directory + ": " + e.getMessage(), e);
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

    /** Runs {@code unit} in the next group commit and waits until it is durable. */
    public <T> T write(Writer.Unit<T> unit) {
        return writer.write(unit);
    }

    /** Queues {@code unit} for the next group commit. */
    public <T> CompletableFuture<T> submit(Writer.Unit<T> unit) {
        return writer.submit(unit);
    }

    /**
     * Runs a read on a pooled read-only connection, in one read transaction: every statement sees
     * the database as it was committed at the first one.
     */
    public <T> T read(Read<T> read) {
        try (Connection c = reads.getConnection()) {
            c.setAutoCommit(false);
            try {
                return read.run(new Tx(c));
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StorageException("cannot read the database at " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Empties the write-ahead log into the database after the next commit (see {@link
     * Writer#checkpoint}); the future tells whether the log is empty.
     */
    public CompletableFuture<Boolean> checkpoint() {
        return writer.checkpoint();
    }

    /** Why writes fail, while they do. */
    public java.util.Optional<String> failing() {
        return writer.failing();
    }

    /** Whether the caller is inside a unit of work of the writer. */
    public boolean inWrite() {
        return writer.inUnit();
    }

    /** Records the read pool's metrics (HikariCP's own: connections active, idle, pending, timings). */
    public void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        reads.setMetricRegistry(registry);
    }

    /** The writer, for its statistics. */
    public Writer writer() {
        return writer;
    }

    @Override
    public void close() {
        try {
            writer.close();
            reads.close();
        } finally {
            lock.close();
        }
    }

    /** Brings the schema of {@code file} to the newest migration. */
    static void migrate(Path file) {
        Flyway.configure()
                .dataSource(dataSource(file, false))
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    /** Migrates a fresh database on {@code connection} (used for in-memory comparison copies). */
    public static void migrate(SQLiteDataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    static Connection connect(Path file, boolean readOnly) throws SQLException {
        return dataSource(file, readOnly).getConnection();
    }

    /** A data source for {@code file} with the kernel's settings. */
    public static SQLiteDataSource dataSource(Path file, boolean readOnly) {
        var config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        config.setReadOnly(readOnly);
        // Deleted and overwritten content is zeroed, so a forgotten subject leaves nothing in free pages.
        config.setPragma(SQLiteConfig.Pragma.SECURE_DELETE, "true");
        var ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + file);
        return ds;
    }
}
