package dev.aios.kernel.internal.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A connection's prepared statements, kept for reuse: preparing SQL again for every write was a
 * fifth of the writer's time. Used by one thread at a time: the writer's, or the one reading on a
 * connection of the SQLite store's read pool.
 */
public final class Statements implements AutoCloseable {
    private static final int LIMIT = 256;

    private final Map<String, PreparedStatement> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() > LIMIT) {
                closeQuietly(eldest.getValue());
                return true;
            }
            return false;
        }
    };

    public PreparedStatement get(Connection connection, String sql) throws SQLException {
        var statement = cache.get(sql);
        if (statement == null || statement.isClosed()) {
            statement = connection.prepareStatement(sql);
            cache.put(sql, statement);
        }
        return statement;
    }

    @Override
    public void close() {
        cache.values().forEach(Statements::closeQuietly);
        cache.clear();
    }

    private static void closeQuietly(PreparedStatement statement) {
        try {
            statement.close();
        } catch (SQLException e) {
            // closing a statement of a connection that is going away
        }
    }
}
