package dev.aios.kernel.internal.store.postgres;

import dev.aios.kernel.ProgressListener;
import dev.aios.kernel.StorageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Copies a stopped SQLite installation into an empty PostgreSQL database whose tables are at the
 * current version: every table of the kernel and of every extension, rows as stored (sealed
 * payloads and checksums are copied, never recomputed), in batches and in one transaction, so that
 * a copy that fails leaves the database as empty as it was. Sequences continue after the highest
 * number SQLite ever gave out.
 */
public final class SqliteImport {
    private static final int BATCH = 500;

    /**
     * Tables a new database's migrations fill with a starting row, and the condition under which
     * such a row shows the database was used.
     */
    private static final Map<String, String> SEEDED =
            Map.of("audit_assigned", "seq <> 0", "policy_feed", "position <> 0", "writer_turns", "node <> ''");

    /** Coordination between the processes working on a database, not data: never copied. */
    private static final List<String> NOT_COPIED = List.of("nodes");

    private SqliteImport() {}

    /** What was copied: rows by table, in the order copied, and the modules the source never ran with. */
    public record Copied(String source, String target, Map<String, Long> rows, List<String> absentModules) {}

    /** The checks before anything is written: the source is a stopped installation at this version, the target empty. */
    public static Prepared prepare(Path dataDirectory, String url, Map<String, String> extensions) {
        var source = SqliteSource.open(dataDirectory, extensions);
        try (var target = connect(url)) {
            var used = used(target);
            if (!used.isEmpty()) {
                throw new StorageException(
                        PostgresStore.withoutCredentials(url) + " is not empty: aios tables there hold rows ("
                                + String.join(", ", used.size() > 5 ? used.subList(0, 5) : used)
                                + (used.size() > 5 ? ", …" : "") + "); copy into a new database (CREATE DATABASE"
                                + " aios), or empty this one if its data may go",
                        null);
            }
        } catch (SQLException | RuntimeException e) {
            source.close();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw unreachable(url, (SQLException) e);
        }
        var absent = extensions.keySet().stream().filter(m -> !source.has(m)).toList();
        return new Prepared(source, url, absent);
    }

    /** A source checked and locked, and an empty target; {@link #copy} next, after migrating the target. */
    public static final class Prepared implements AutoCloseable {
        private final SqliteSource source;
        private final String url;
        private final List<String> absent;

        private Prepared(SqliteSource source, String url, List<String> absent) {
            this.source = source;
            this.url = url;
            this.absent = absent;
        }

        /**
         * Copies every table into the target (whose tables must be at the current version by now),
         * telling {@code progress} how many rows are copied of how many.
         */
        public Copied copy(ProgressListener progress) {
            try (var target = connect(url)) {
                target.setAutoCommit(false);
                try {
                    var rows = copyAll(source, target, progress);
                    target.commit();
                    return new Copied(source.location(), PostgresStore.withoutCredentials(url), rows, absent);
                } catch (SQLException | RuntimeException e) {
                    target.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                throw new StorageException(
                        "the copy into " + PostgresStore.withoutCredentials(url) + " failed and was rolled back, so"
                                + " the database is as empty as before: " + e.getMessage(),
                        e);
            }
        }

        @Override
        public void close() {
            source.close();
        }
    }

    private static Map<String, Long> copyAll(SqliteSource source, Connection target, ProgressListener progress)
            throws SQLException {
        var targetColumns = columns(target);
        var plan = new ArrayList<Table>();
        long total = 0;
        for (var table : source.tables()) {
            if (NOT_COPIED.contains(table)) {
                continue;
            }
            long count = source.count(table);
            var columns = targetColumns.get(table);
            if (columns == null) {
                if (count > 0) {
                    throw new StorageException(
                            "the SQLite table " + table + " (" + count + " rows) has no counterpart in PostgreSQL;"
                                    + " nothing was copied",
                            null);
                }
                continue;
            }
            plan.add(new Table(table, columns, source.columns(table), source.hasRowid(table), count));
            total += count;
        }
        var rows = new LinkedHashMap<String, Long>();
        long all = total;
        long[] done = {0};
        progress.advanced(0, all);
        for (var table : plan) {
            long copied = copy(source, target, table, n -> progress.advanced(done[0] += n, all));
            rows.put(table.name(), copied);
        }
        continueNumbering(source, target, targetColumns);
        return rows;
    }

    private static long copy(SqliteSource source, Connection target, Table table, Consumer<Integer> advanced)
            throws SQLException {
        var select = new ArrayList<String>();
        var insert = new ArrayList<Column>();
        for (var column : table.target()) {
            if (table.source().contains(column.name())) {
                select.add("\"" + column.name() + "\"");
                insert.add(column);
            } else if (column.identity() && table.rowid()) {
                // A number PostgreSQL keeps where SQLite orders by rowid (e.g. memory_chunks.seq).
                select.add("rowid");
                insert.add(column);
            } else if (!column.defaulted()) {
                throw new StorageException(
                        "the PostgreSQL column " + table.name() + "." + column.name() + " has no value in SQLite;"
                                + " nothing was copied",
                        null);
            }
        }
        try (var st = target.createStatement()) {
            // Only rows a new database's migrations put there (see SEEDED): the target was checked empty.
            st.executeUpdate("DELETE FROM \"" + table.name() + "\"");
        }
        var sql = "INSERT INTO \"" + table.name() + "\" ("
                + String.join(
                        ", ", insert.stream().map(c -> "\"" + c.name() + "\"").toList()) + ") VALUES ("
                + String.join(", ", insert.stream().map(c -> "?").toList()) + ")";
        long[] copied = {0};
        try (var statement = target.prepareStatement(sql)) {
            int[] pending = {0};
            source.read("SELECT " + String.join(", ", select) + " FROM \"" + table.name() + "\"", row -> {
                for (int i = 0; i < insert.size(); i++) {
                    bind(statement, i + 1, insert.get(i), row, table.name());
                }
                statement.addBatch();
                if (++pending[0] == BATCH) {
                    statement.executeBatch();
                    copied[0] += pending[0];
                    advanced.accept(pending[0]);
                    pending[0] = 0;
                }
            });
            if (pending[0] > 0) {
                statement.executeBatch();
                copied[0] += pending[0];
                advanced.accept(pending[0]);
            }
        }
        if (copied[0] != table.count()) {
            throw new StorageException(
                    "read " + copied[0] + " rows of " + table.name() + " where SQLite counted " + table.count(), null);
        }
        return copied[0];
    }

    private static void bind(PreparedStatement statement, int index, Column column, ResultSet row, String table)
            throws SQLException {
        switch (column.type()) {
            case "bigint", "integer", "smallint", "boolean" -> {
                long value = row.getLong(index);
                if (row.wasNull()) {
                    statement.setNull(index, Types.BIGINT);
                } else if (column.type().equals("boolean")) {
                    statement.setBoolean(index, value != 0);
                } else {
                    statement.setLong(index, value);
                }
            }
            case "double precision", "real", "numeric" -> {
                double value = row.getDouble(index);
                if (row.wasNull()) {
                    statement.setNull(index, Types.DOUBLE);
                } else {
                    statement.setDouble(index, value);
                }
            }
            case "bytea" -> statement.setBytes(index, row.getBytes(index));
            case "text", "character varying" -> statement.setString(index, row.getString(index));
            case "json", "jsonb" -> statement.setObject(index, row.getString(index), Types.OTHER);
            default ->
                throw new StorageException(
                        "cannot copy " + table + "." + column.name() + ": PostgreSQL type " + column.type()
                                + " is not one aios uses",
                        null);
        }
    }

    /**
     * Sets every sequence after the highest number given out, in PostgreSQL or (for AUTOINCREMENT,
     * even for rows since deleted) in SQLite, so that no number is given twice; frees the leases the
     * stopped process left, as its own start would have.
     */
    private static void continueNumbering(
            SqliteSource source, Connection target, Map<String, List<Column>> targetColumns) throws SQLException {
        var assigned = source.assigned();
        for (var entry : targetColumns.entrySet()) {
            for (var column : entry.getValue()) {
                if (!column.identity()) {
                    continue;
                }
                long highest =
                        Math.max(max(target, entry.getKey(), column.name()), assigned.getOrDefault(entry.getKey(), 0L));
                if (highest > 0) {
                    update(
                            target,
                            "SELECT setval(pg_get_serial_sequence(?, ?), ?)",
                            "\"" + entry.getKey() + "\"",
                            column.name(),
                            highest);
                }
            }
        }
        long position = max(target, "journal", "pos");
        if (position > 0) {
            update(target, "SELECT setval('journal_pos', ?)", position);
        }
        long audit = Math.max(max(target, "audit", "seq"), assigned.getOrDefault("audit", 0L));
        update(target, "UPDATE audit_assigned SET seq = ?", audit);
        update(target, "UPDATE work SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL");
        update(
                target,
                "UPDATE agent_instances SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL");
    }

    private static long max(Connection target, String table, String column) throws SQLException {
        try (var st = target.createStatement();
                var rs = st.executeQuery("SELECT COALESCE(MAX(\"" + column + "\"), 0) FROM \"" + table + "\"")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void update(Connection target, String sql, Object... values) throws SQLException {
        try (var statement = target.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            statement.execute();
        }
    }

    /** The tables of the current schema with rows that show the database was used, Flyway's aside. */
    private static List<String> used(Connection target) throws SQLException {
        var used = new ArrayList<String>();
        for (var table : columns(target).keySet()) {
            var condition = Optional.ofNullable(SEEDED.get(table));
            try (var st = target.createStatement();
                    var rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM \"" + table + "\""
                            + condition.map(c -> " WHERE " + c).orElse("") + ")")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    used.add(table);
                }
            }
        }
        return used;
    }

    /** The columns of every table of the current schema but Flyway's, by table. */
    private static Map<String, List<Column>> columns(Connection target) throws SQLException {
        var tables = new LinkedHashMap<String, List<Column>>();
        try (var st = target.prepareStatement("SELECT c.table_name, c.column_name, c.data_type,"
                        + " c.is_identity = 'YES' OR c.column_default LIKE 'nextval(%' AS numbered,"
                        + " c.column_default IS NOT NULL OR c.is_nullable = 'YES' OR c.is_identity = 'YES'"
                        + " FROM information_schema.columns c JOIN information_schema.tables t"
                        + " ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
                        + " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
                        + " AND c.table_name NOT LIKE 'flyway%' ORDER BY c.table_name, c.ordinal_position");
                var rs = st.executeQuery()) {
            while (rs.next()) {
                tables.computeIfAbsent(rs.getString(1), t -> new ArrayList<>())
                        .add(new Column(rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getBoolean(5)));
            }
        }
        return tables;
    }

    /** A connection to {@code url}, with the user and password of the environment when the URL names none. */
    static Connection connect(String url) {
        var properties = new Properties();
        Optional.ofNullable(System.getenv(PostgresStore.USER))
                .filter(u -> !u.isBlank())
                .ifPresent(u -> properties.setProperty("user", u));
        Optional.ofNullable(System.getenv(PostgresStore.PASSWORD))
                .ifPresent(p -> properties.setProperty("password", p));
        // Batches of inserts travel as multi-row inserts.
        properties.setProperty("reWriteBatchedInserts", "true");
        try {
            return DriverManager.getConnection(url, properties);
        } catch (SQLException e) {
            throw unreachable(url, e);
        }
    }

    private static StorageException unreachable(String url, SQLException e) {
        return new StorageException(
                "cannot reach the database at " + PostgresStore.withoutCredentials(url) + ": " + e.getMessage()
                        + "; check that PostgreSQL runs there and that " + PostgresStore.USER + " and "
                        + PostgresStore.PASSWORD + " (or the URL) give a user who may create tables",
                e);
    }

    private record Column(String name, String type, boolean identity, boolean defaulted) {}

    private record Table(String name, List<Column> target, List<String> source, boolean rowid, long count) {}
}
