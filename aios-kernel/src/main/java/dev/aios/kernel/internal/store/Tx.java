package dev.aios.kernel.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A connection inside a unit of work: plain SQL with positional arguments. Instants are stored as
 * epoch milliseconds, booleans as 0 and 1.
 */
public final class Tx {

    /** Maps the current row to a value. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(Row row) throws SQLException;
    }

    private final Connection connection;
    private final List<Runnable> afterCommit = new ArrayList<>();

    public Tx(Connection connection) {
        this.connection = connection;
    }

    /** Runs an INSERT, UPDATE or DELETE and returns the number of rows changed. */
    public int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(sql, args)) {
            return ps.executeUpdate();
        }
    }

    /** Runs a query and maps every row. */
    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(sql, args);
                var rs = ps.executeQuery()) {
            var out = new ArrayList<T>();
            var row = new Row(rs);
            while (rs.next()) {
                out.add(mapper.map(row));
            }
            return out;
        }
    }

    /** Runs a query and maps the first row, if any. */
    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(sql, args);
                var rs = ps.executeQuery()) {
            return rs.next() ? Optional.ofNullable(mapper.map(new Row(rs))) : Optional.empty();
        }
    }

    /** Runs a query returning one number. */
    public long count(String sql, Object... args) throws SQLException {
        return queryOne(sql, r -> r.integer("n"), args).orElse(0L);
    }

    /** Runs raw SQL without arguments (pragmas, savepoints). */
    public void execute(String sql) throws SQLException {
        try (var st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    /** The connection, for work handed to extensions; do not commit or close it. */
    public Connection connection() {
        return connection;
    }

    /** Registers an action to run once the transaction has committed. */
    public void afterCommit(Runnable action) {
        afterCommit.add(action);
    }

    List<Runnable> takeAfterCommit() {
        var actions = List.copyOf(afterCommit);
        afterCommit.clear();
        return actions;
    }

    int afterCommitMark() {
        return afterCommit.size();
    }

    void dropAfterCommitFrom(int mark) {
        afterCommit.subList(mark, afterCommit.size()).clear();
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) {
                bind(ps, i + 1, args[i]);
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    private static void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        switch (value) {
            case null -> ps.setNull(index, Types.NULL);
            case String s -> ps.setString(index, s);
            case Long l -> ps.setLong(index, l);
            case Integer i -> ps.setLong(index, i);
            case Boolean b -> ps.setLong(index, b ? 1 : 0);
            case Instant t -> ps.setLong(index, t.toEpochMilli());
            case byte[] bytes -> ps.setBytes(index, bytes);
            case Optional<?> o -> bind(ps, index, o.orElse(null));
            default ->
                throw new IllegalArgumentException(
                        "cannot bind " + value.getClass().getName());
        }
    }
}
