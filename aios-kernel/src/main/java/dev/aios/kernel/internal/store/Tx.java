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
    private final List<Runnable> onRollback = new ArrayList<>();
    private final Statements statements;

    /** A connection whose statements are prepared afresh each time. */
    public Tx(Connection connection) {
        this(connection, null);
    }

    /** A connection that reuses prepared statements from {@code statements} (the writer's). */
    Tx(Connection connection, Statements statements) {
        this.connection = connection;
        this.statements = statements;
    }

    @FunctionalInterface
    private interface Use<T> {
        T apply(PreparedStatement statement) throws SQLException;
    }

    /** Runs an INSERT, UPDATE or DELETE and returns the number of rows changed. */
    public int update(String sql, Object... args) throws SQLException {
        return with(sql, args, PreparedStatement::executeUpdate);
    }

    /** Runs a query and maps every row. */
    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        return with(sql, args, ps -> {
            try (var rs = ps.executeQuery()) {
                var out = new ArrayList<T>();
                var row = new Row(rs);
                while (rs.next()) {
                    out.add(mapper.map(row));
                }
                return out;
            }
        });
    }

    /** Runs a query and maps the first row, if any. */
    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        return with(sql, args, ps -> {
            try (var rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(mapper.map(new Row(rs))) : Optional.empty();
            }
        });
    }

    private <T> T with(String sql, Object[] args, Use<T> use) throws SQLException {
        if (statements == null) {
            try (PreparedStatement ps = prepare(sql, args)) {
                return use.apply(ps);
            }
        }
        var ps = statements.get(connection, sql);
        ps.clearParameters();
        for (int i = 0; i < args.length; i++) {
            bind(ps, i + 1, args[i]);
        }
        return use.apply(ps);
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

    /** Registers an action to run if this part of the work is rolled back. */
    public void onRollback(Runnable action) {
        onRollback.add(action);
    }

    /** Whether this is the writer's transaction (the one place where state may be cached). */
    public boolean isWriter() {
        return statements != null;
    }

    List<Runnable> takeAfterCommit() {
        var actions = List.copyOf(afterCommit);
        afterCommit.clear();
        onRollback.clear();
        return actions;
    }

    /** Where the work of a unit begins, to undo its registrations if it is rolled back. */
    record Mark(int afterCommit, int onRollback) {}

    Mark mark() {
        return new Mark(afterCommit.size(), onRollback.size());
    }

    /** Forgets what was registered since {@code mark}, running its rollback actions. */
    void rollBackTo(Mark mark) {
        afterCommit.subList(mark.afterCommit(), afterCommit.size()).clear();
        var undo = onRollback.subList(mark.onRollback(), onRollback.size());
        undo.forEach(Runnable::run);
        undo.clear();
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
