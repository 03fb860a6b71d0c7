package dev.aios.kernel.internal.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** Typed access to the current row of a result set. */
public final class Row {
    private final ResultSet rs;

    Row(ResultSet rs) {
        this.rs = rs;
    }

    /** A text column; empty string when NULL. */
    public String text(String column) throws SQLException {
        String value = rs.getString(column);
        return value == null ? "" : value;
    }

    /** A text column that may be NULL. */
    public Optional<String> optionalText(String column) throws SQLException {
        return Optional.ofNullable(rs.getString(column));
    }

    /** An integer column; 0 when NULL. */
    public long integer(String column) throws SQLException {
        return rs.getLong(column);
    }

    /** An epoch-millis column as an instant. */
    public Instant instant(String column) throws SQLException {
        return Instant.ofEpochMilli(rs.getLong(column));
    }

    /** An epoch-millis column that may be NULL. */
    public Optional<Instant> optionalInstant(String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
    }

    /** A blob column. */
    public byte[] bytes(String column) throws SQLException {
        return rs.getBytes(column);
    }

    /** Column {@code index} (1-based) as an object, for generic comparisons. */
    public Object column(int index) throws SQLException {
        return rs.getObject(index);
    }

    /** How many columns the row has. */
    public int columns() throws SQLException {
        return rs.getMetaData().getColumnCount();
    }

    /** The name of column {@code index} (1-based). */
    public String columnName(int index) throws SQLException {
        return rs.getMetaData().getColumnName(index);
    }
}
