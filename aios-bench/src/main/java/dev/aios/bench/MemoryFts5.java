package dev.aios.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The baseline memory's recall latency is measured beside: SQLite FTS5 with its built-in BM25 over
 * the same texts (one row each, {@code porter unicode61}), the query's words OR-ed, the best 10 rows.
 */
final class MemoryFts5 implements AutoCloseable {
    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}]+");
    private final Connection connection;

    MemoryFts5(Path file) throws SQLException {
        this.connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (var s = connection.createStatement()) {
            s.execute(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS items USING fts5(subject UNINDEXED, text, tokenize = 'porter unicode61')");
        }
    }

    /** How many rows the table holds. */
    int size() throws SQLException {
        try (var s = connection.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM items")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** Adds rows of (subject, text). */
    void add(List<String[]> rows) throws SQLException {
        connection.setAutoCommit(false);
        try (var insert = connection.prepareStatement("INSERT INTO items (subject, text) VALUES (?, ?)")) {
            for (var row : rows) {
                insert.setString(1, row[0]);
                insert.setString(2, row[1]);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        connection.commit();
        connection.setAutoCommit(true);
    }

    /** The ids of the best 10 rows for {@code text}, within {@code subject} when given. */
    int search(String text, Optional<String> subject) throws SQLException {
        var tokens = new LinkedHashSet<String>();
        var matcher = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
        while (matcher.find()) {
            tokens.add('"' + matcher.group() + '"');
        }
        String sql = "SELECT rowid FROM items WHERE items MATCH ?" + (subject.isPresent() ? " AND subject = ?" : "")
                + " ORDER BY bm25(items) LIMIT 10";
        try (var statement = connection.prepareStatement(sql)) {
            statement.setString(1, String.join(" OR ", tokens));
            if (subject.isPresent()) {
                statement.setString(2, subject.get());
            }
            int n = 0;
            try (var rs = statement.executeQuery()) {
                while (rs.next()) {
                    n++;
                }
            }
            return n;
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
